package io.piste.cluster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import io.piste.cluster.quorum.MetadataQuorum;
import io.piste.storage.rules.PackageRules;
import java.util.Set;

/**
 * The cluster's package rules, checked on its main classes by every build: no package cycles, and nothing of the
 * modules built on it (the server, the benchmarks).
 */
@AnalyzeClasses(locations = PackageRulesTest.MainClasses.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule noPackageCycles = PackageRules.NO_PACKAGE_CYCLES;

    @ArchTest
    static final ArchRule clusterDependsOnNothingAboveIt = noClasses()
            .that()
            .resideInAPackage("io.piste.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.piste.server..", "io.piste.bench..")
            .because("the server builds on the cluster, never the other way round");

    /** This module's main classes only: where MetadataQuorum was loaded from, target/classes. */
    static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            return PackageRules.mainClassesOf(MetadataQuorum.class);
        }
    }
}
