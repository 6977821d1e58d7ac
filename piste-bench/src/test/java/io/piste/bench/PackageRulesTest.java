package io.piste.bench;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import io.piste.bench.fixture.RecordBatches;
import io.piste.storage.rules.PackageRules;
import java.util.Set;

/**
 * The benchmarks' package rule, checked on their main classes by every build: their packages form no cycle (the
 * harness JMH generates into {@code ...jmh_generated} packages included; only it refers to the benchmarks).
 */
@AnalyzeClasses(locations = PackageRulesTest.MainClasses.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule noPackageCycles = PackageRules.NO_PACKAGE_CYCLES;

    /** This module's main classes only: where RecordBatches was loaded from, target/classes. */
    static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            return PackageRules.mainClassesOf(RecordBatches.class);
        }
    }
}
