package io.piste.storage.rules;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/** What every module's {@code PackageRulesTest} (ArchUnit) shares: the cycle rule and where the main classes are. */
public final class PackageRules {

    /** Each package is a slice: io.piste.storage.log, io.piste.broker.group.consumer, ... */
    public static final ArchRule NO_PACKAGE_CYCLES =
            slices().matching("io.piste.(**)").should().beFreeOfCycles();

    private PackageRules() {}

    /** The module's main classes only: the target/classes directory (or jar) {@code anyMainClass} was loaded from. */
    public static Set<Location> mainClassesOf(Class<?> anyMainClass) {
        return Set.of(
                Location.of(anyMainClass.getProtectionDomain().getCodeSource().getLocation()));
    }
}
