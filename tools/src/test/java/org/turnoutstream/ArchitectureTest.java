package org.turnoutstream;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.turnoutstream.functions.ParticipationFields;
import org.turnoutstream.reference.BaselineCurve;
import org.turnoutstream.reference.BaselineTable;
import org.turnoutstream.workflows.Baselines;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module and package layout as rules, so that it stays true. Modules: {@code core} (plain Java: reference data, the
 * registry client, InfluxDB reads, dependency health), {@code jobs} (the Flink job: the records a branch sends,
 * {@code signals}, at the bottom; ingest ({@code events}) and the keyed logic ({@code functions}) on them; the published
 * {@code points} and the {@code sinks} that write them; the {@code workflows} wiring them), {@code local} (the services
 * on this machine) and {@code tools} (the CLI, simulator, bench and audit) on top, where the job never reaches. Maven
 * already keeps a module from using one above it; these rules say why, and hold the packages inside a module.
 */
@AnalyzeClasses(packages = "org.turnoutstream", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    /** The plain-Java core: no Flink, used by the job, the tools and the test kit. */
    private static final String[] CORE = {"org.turnoutstream.reference..", "org.turnoutstream.registry..", "org.turnoutstream.influx..", "org.turnoutstream.health.."};

    /** The job's own packages (module jobs); its jar also holds the core and the schemas. */
    private static final String[] JOB_ONLY = {"org.turnoutstream.signals..", "org.turnoutstream.events..", "org.turnoutstream.functions..", "org.turnoutstream.points..",
            "org.turnoutstream.sinks..", "org.turnoutstream.workflows..", "org.turnoutstream.archive..", "org.turnoutstream.recovery..", "org.turnoutstream.batching..",
            "org.turnoutstream.config.."};

    /** What the job jar a user submits needs: the job's packages and the core. */
    private static final String[] JOB = concat(JOB_ONLY, CORE);

    /** The tools: the turnout command, the simulator, the local services, the bench and the audit. */
    private static final String[] TOOLS = {"org.turnoutstream.cli..", "org.turnoutstream.local..", "org.turnoutstream.simulator..", "org.turnoutstream.bench..",
            "org.turnoutstream.audit.."};

    /** The jobs module's test helpers reach the tools' tests as a test jar: not part of the layout. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar") && !location.contains("/testkit/") && !location.contains("turnout-testkit");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A cycle makes two packages one: neither can be read, tested or moved to its own module alone. */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("org.turnoutstream.(*)..")
            .should().beFreeOfCycles();

    /** The job jar holds the job alone: the CLI, the simulator, the local services, the bench and the audit stay out of it. */
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

    /** The keyed functions compute points ({@code points}); how and where they are written is the sinks' business. */
    @ArchTest
    static final ArchRule functionsDoNotDependOnSinks = noClasses().that().resideInAPackage("org.turnoutstream.functions..")
            .should().dependOnClassesThat().resideInAPackage("org.turnoutstream.sinks..");

    /** A published point (measurement, tags, fields, time) is data: it knows nothing of who computes or writes it. */
    @ArchTest
    static final ArchRule pointsAreALeaf = noClasses().that().resideInAPackage("org.turnoutstream.points..")
            .should().dependOnClassesThat(resideInAnyPackage("org.turnoutstream..").and(not(resideInAnyPackage("org.turnoutstream.points.."))));

    /** The core is plain Java (no Flink) and knows nothing of the job or the tools, so every module can use it. */
    @ArchTest
    static final ArchRule theCoreIsPlainJava = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(new String[] {"org.apache.flink.."}, concat(JOB_ONLY, TOOLS)));

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

    /**
     * The audit's participation check ({@code IndependentParticipation}) is the check of the job's comparison with a
     * baseline: it computes from the formulas and reads the baseline itself, sharing none of the job's code for it.
     */
    @ArchTest
    static final ArchRule theAuditComputesParticipationOnItsOwn = noClasses().that().resideInAPackage("org.turnoutstream.audit..")
            .should().dependOnClassesThat().resideInAPackage("org.turnoutstream.participation..")
            .orShould().dependOnClassesThat().belongToAnyOf(BaselineCurve.class, BaselineTable.class, Baselines.class, ParticipationFields.class);

    /** The tools build on the job and each other, never the job on the CLI: nothing outside cli uses it, the job jar's main included. */
    @ArchTest
    static final ArchRule nothingButTheCliUsesTheCli = noClasses().that().resideOutsideOfPackage("org.turnoutstream.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.turnoutstream.cli..");
}
