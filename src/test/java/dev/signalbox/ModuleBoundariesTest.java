package dev.signalbox;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Features depend on each other one way only, and never on the web layer or the CLI. */
class ModuleBoundariesTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.signalbox");

    /** The rules below would pass vacuously over an empty import; make sure every feature was read. */
    @Test
    void the_rules_see_every_feature() {
        assertThat(CLASSES.stream().map(c -> c.getPackageName().replaceFirst("^dev\\.signalbox\\.([a-z]+).*$", "$1")).distinct())
                .contains("accounts", "profiles", "networks", "publishing", "vault", "sandbox", "incidents", "audit", "comms", "support", "web", "cli");
    }

    @Test
    void features_have_no_dependency_cycles() {
        slices().matching("dev.signalbox.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void the_core_does_not_depend_on_the_dashboard_or_the_cli() {
        noClasses().that().resideInAnyPackage("dev.signalbox.accounts..", "dev.signalbox.profiles..", "dev.signalbox.networks..",
                        "dev.signalbox.publishing..", "dev.signalbox.vault..", "dev.signalbox.sandbox..", "dev.signalbox.platform..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.signalbox.web..", "dev.signalbox.cli..")
                .check(CLASSES);
    }

    @Test
    void networks_know_nothing_of_posts_profiles_or_the_sandbox_server() {
        noClasses().that().resideInAPackage("dev.signalbox.networks..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.signalbox.publishing..", "dev.signalbox.profiles..",
                        "dev.signalbox.sandbox..", "dev.signalbox.accounts..")
                .check(CLASSES);
    }

    @Test
    void the_sandbox_server_is_reached_only_over_http() {
        noClasses().that().resideInAnyPackage("dev.signalbox.publishing..", "dev.signalbox.profiles..", "dev.signalbox.networks..")
                .should().dependOnClassesThat().resideInAPackage("dev.signalbox.sandbox..")
                .check(CLASSES);
    }
}
