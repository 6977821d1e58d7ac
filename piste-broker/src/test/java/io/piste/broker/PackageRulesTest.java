package io.piste.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import io.piste.storage.rules.PackageRules;
import java.util.Set;

/**
 * The broker's package rules, checked on its main classes by every build: its packages form no cycle, and it sees
 * nothing of the modules built on it (the server, the cluster to come, the benchmarks).
 */
@AnalyzeClasses(locations = PackageRulesTest.MainClasses.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule noPackageCycles = PackageRules.NO_PACKAGE_CYCLES;

    @ArchTest
    static final ArchRule brokerDependsOnNothingAboveIt = noClasses()
            .that()
            .resideInAPackage("io.piste.broker..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.piste.server..", "io.piste.cluster..", "io.piste.bench..")
            .because("the server and the cluster build on the broker, never the other way round");

    /** This module's main classes only: where Broker was loaded from, target/classes. */
    static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            return PackageRules.mainClassesOf(Broker.class);
        }
    }
}
