package io.piste.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import io.piste.storage.rules.PackageRules;
import java.util.Set;

/** The server's package rules, checked on its main classes by every build: its packages form no cycle. */
@AnalyzeClasses(locations = PackageRulesTest.MainClasses.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule noPackageCycles = PackageRules.NO_PACKAGE_CYCLES;

    @ArchTest
    static final ArchRule serverDependsOnNoBenchmark = noClasses()
            .that()
            .resideInAPackage("io.piste.server..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.piste.bench..")
            .because("the benchmarks measure the server, the server does not ship them");

    /** This module's main classes only: where PisteServer was loaded from, target/classes. */
    static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            return PackageRules.mainClassesOf(PisteServer.class);
        }
    }
}
