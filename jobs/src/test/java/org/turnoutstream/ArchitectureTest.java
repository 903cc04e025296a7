package org.turnoutstream;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.turnoutstream.sinks.InfluxPoint;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layout as rules, so that it stays true: the records a branch sends ({@code signals}) at the bottom, ingest
 * ({@code events}) and the keyed logic ({@code functions}) on them, the sinks beside them, the workflows wiring them, and
 * the tools (CLI, simulator, local services, bench) on top, where the job never reaches.
 */
@AnalyzeClasses(packages = "org.turnoutstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The job's packages: what the job jar a user submits needs. */
    private static final String[] JOB = {"org.turnoutstream.signals..", "org.turnoutstream.events..", "org.turnoutstream.functions..", "org.turnoutstream.sinks..", "org.turnoutstream.workflows..",
            "org.turnoutstream.archive..", "org.turnoutstream.recovery..", "org.turnoutstream.reference..", "org.turnoutstream.batching..", "org.turnoutstream.config..", "org.turnoutstream.health..",
            "org.turnoutstream.influx.."};

    /** The tools: the turnout command, the simulator, the local services and the bench. */
    private static final String[] TOOLS = {"org.turnoutstream.cli..", "org.turnoutstream.local..", "org.turnoutstream.simulator..", "org.turnoutstream.bench.."};

    /** A cycle makes two packages one: neither can be read, tested or moved to its own module alone. */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("org.turnoutstream.(*)..")
            .should().beFreeOfCycles();

    /** The job jar holds the job alone: the CLI, the simulator, the local services and the bench stay out of it. */
    @ArchTest
    static final ArchRule theJobDoesNotDependOnTheTools = noClasses().that().resideInAnyPackage(JOB)
            .should().dependOnClassesThat().resideInAnyPackage(TOOLS);

    /** Ingest decodes and validates into signals; what the keyed functions do with them is not its business. */
    @ArchTest
    static final ArchRule ingestDoesNotDependOnTheKeyedLogic = noClasses().that().resideInAPackage("org.turnoutstream.events..")
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.functions..", "org.turnoutstream.sinks..", "org.turnoutstream.workflows..");

    /** The records between ingest and the keyed functions depend on the reference data alone, so both can use them. */
    @ArchTest
    static final ArchRule signalsAreAtTheBottom = noClasses().that().resideInAPackage("org.turnoutstream.signals..")
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.events..", "org.turnoutstream.functions..", "org.turnoutstream.sinks..", "org.turnoutstream.workflows..",
                    "org.turnoutstream.archive..", "org.turnoutstream.recovery..", "org.turnoutstream.batching..", "org.turnoutstream.config..", "org.turnoutstream.health..", "org.turnoutstream.audit..");

    /**
     * The keyed functions write to no sink. Still to go (issue 13): the tally, the constituency connectivity and the
     * turnout-over-eligible check emit and read InfluxDB points themselves, so functions may use the point type, nothing
     * else of sinks.
     */
    @ArchTest
    static final ArchRule functionsDoNotDependOnSinks = noClasses().that().resideInAPackage("org.turnoutstream.functions..")
            .should().dependOnClassesThat(resideInAnyPackage("org.turnoutstream.sinks..").and(not(belongToAnyOf(InfluxPoint.class))));

    /** Sinks write what they are given; they know neither the keyed logic nor how the job is wired. */
    @ArchTest
    static final ArchRule sinksDoNotDependOnTheKeyedLogic = noClasses().that().resideInAPackage("org.turnoutstream.sinks..")
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.functions..", "org.turnoutstream.workflows..", "org.turnoutstream.recovery..");

    /** The reference data (elections, branches, capacities) is read by everything and reads nothing of the pipeline. */
    @ArchTest
    static final ArchRule referenceDataIsALeaf = noClasses().that().resideInAPackage("org.turnoutstream.reference..")
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.signals..", "org.turnoutstream.events..", "org.turnoutstream.functions..", "org.turnoutstream.sinks..",
                    "org.turnoutstream.workflows..", "org.turnoutstream.archive..", "org.turnoutstream.recovery..", "org.turnoutstream.batching..", "org.turnoutstream.config..", "org.turnoutstream.health..", "org.turnoutstream.audit..");

    /** Options and their defaults come from flags, a file and the environment; the local stack is the CLI's business. */
    @ArchTest
    static final ArchRule configurationIsALeaf = noClasses().that().resideInAPackage("org.turnoutstream.config..")
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.signals..", "org.turnoutstream.events..", "org.turnoutstream.functions..", "org.turnoutstream.sinks..",
                    "org.turnoutstream.workflows..", "org.turnoutstream.archive..", "org.turnoutstream.recovery..", "org.turnoutstream.audit..");

    /**
     * The audit checks the job from outside (it recounts from the records and compares with InfluxDB), so the job does
     * not depend on it; both read InfluxDB through {@code influx.InfluxReader}.
     */
    @ArchTest
    static final ArchRule theJobDoesNotDependOnTheAudit = noClasses().that().resideInAnyPackage(JOB)
            .should().dependOnClassesThat().resideInAnyPackage("org.turnoutstream.audit..");

    /** The one InfluxDB read path is a leaf (plain HTTP and Jackson): audit, demo, bench, local services, tests and the job's start use it. */
    @ArchTest
    static final ArchRule theInfluxReaderIsALeaf = noClasses().that().resideInAPackage("org.turnoutstream.influx..")
            .should().dependOnClassesThat(resideInAnyPackage("org.turnoutstream..", "org.apache.flink..")
                    .and(not(resideInAnyPackage("org.turnoutstream.influx.."))));

    /**
     * The job jar leaves picocli out: the job's options and their parser ({@code config}), the jar's main and the rest of
     * the job are plain Java; the turnout command ({@code cli}) builds its picocli options from the same definitions.
     */
    @ArchTest
    static final ArchRule theJobAndItsMainDoNotUsePicocli = noClasses().that().resideInAnyPackage(JOB)
            .or().belongToAnyOf(TurnoutJob.class)
            .should().dependOnClassesThat().resideInAPackage("picocli..");

    /** The tools build on the job and each other, never the job on the CLI: nothing outside cli uses it, the job jar's main included. */
    @ArchTest
    static final ArchRule nothingButTheCliUsesTheCli = noClasses().that().resideOutsideOfPackage("org.turnoutstream.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.turnoutstream.cli..");
}
