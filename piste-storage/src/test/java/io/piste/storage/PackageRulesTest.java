package io.piste.storage;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import io.piste.storage.log.UnifiedLog;
import io.piste.storage.rules.PackageRules;
import java.util.Set;

/**
 * The storage layer's package rules, checked on its main classes by every build: its packages form no cycle, and it
 * sees nothing of the layers above it (nothing of io.piste outside io.piste.storage), of the network (Netty) or of
 * the protocol (Kafka's classes).
 */
@AnalyzeClasses(locations = PackageRulesTest.MainClasses.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule noPackageCycles = PackageRules.NO_PACKAGE_CYCLES;

    @ArchTest
    static final ArchRule storageDependsOnNothingAboveIt = noClasses()
            .that()
            .resideInAPackage("io.piste.storage..")
            .should()
            .dependOnClassesThat(resideInAPackage("io.piste..").and(not(resideInAPackage("io.piste.storage.."))))
            .because("storage is the bottom layer: the broker, the server and the cluster build on it");

    @ArchTest
    static final ArchRule storageDependsOnNoNetworkOrProtocol = noClasses()
            .that()
            .resideInAPackage("io.piste.storage..")
            .should()
            .dependOnClassesThat(resideInAnyPackage("io.netty..", "org.apache.kafka.."))
            .because("storage stores batches as bytes: it knows nothing of the network or of Kafka's protocol classes");

    /** This module's main classes only: where UnifiedLog was loaded from, target/classes. */
    static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            return PackageRules.mainClassesOf(UnifiedLog.class);
        }
    }
}
