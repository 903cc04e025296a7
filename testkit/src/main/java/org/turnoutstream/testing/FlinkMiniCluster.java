package org.turnoutstream.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InternalMiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * A Flink MiniCluster for one test class, as Flink's {@code MiniClusterExtension}, with generic types off
 * ({@link NoGenericTypes}): every {@code StreamExecutionEnvironment.getExecutionEnvironment(...)} of the class's
 * tests, and of its {@code @BeforeAll} methods, runs on this cluster with {@code pipeline.generic-types: false}
 * (a configuration the test passes is applied after it, so a test could turn it back on, explicitly). Since a
 * job's serializers are chosen by its environment, not by the cluster, that is where it must be set; the cluster's
 * configuration has it too.
 *
 * <pre>{@code @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);}</pre>
 */
public final class FlinkMiniCluster implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final InternalMiniClusterExtension cluster;

    /** {@code taskManagers} task managers of {@code slots} slots each. */
    public FlinkMiniCluster(int taskManagers, int slots) {
        this(taskManagers, slots, new Configuration());
    }

    /** With more cluster configuration (metric reporters, ...). */
    public FlinkMiniCluster(int taskManagers, int slots, Configuration configuration) {
        Configuration conf = new Configuration(configuration);
        conf.addAll(NoGenericTypes.configuration());
        cluster = new InternalMiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(conf).setNumberTaskManagers(taskManagers).setNumberSlotsPerTaskManager(slots).build());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster.beforeAll(context);
        StrictEnvironment.install(cluster.getMiniCluster(), parallelism());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        StrictEnvironment.install(cluster.getMiniCluster(), parallelism());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestStreamEnvironment.unsetAsContext();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.afterAll(context);
    }

    public MiniCluster miniCluster() {
        return cluster.getMiniCluster();
    }

    private int parallelism() {
        return cluster.getMiniCluster().getConfiguration().getOptional(CoreOptions.DEFAULT_PARALLELISM).orElse(cluster.getNumberSlots());
    }

    /** Flink's test environment on the cluster, with generic types off (a subclass for the protected context hook). */
    private static final class StrictEnvironment extends TestStreamEnvironment {
        private StrictEnvironment(MiniCluster cluster, Configuration conf, int parallelism) {
            super(cluster, conf, parallelism, List.of(), List.of());
        }

        static void install(MiniCluster cluster, int parallelism) {
            initializeContextEnvironment(given -> {
                Configuration conf = NoGenericTypes.configuration();
                conf.addAll(given);
                StrictEnvironment env = new StrictEnvironment(cluster, conf, parallelism);
                env.configure(conf, env.getUserClassloader());
                return env;
            });
        }
    }
}
