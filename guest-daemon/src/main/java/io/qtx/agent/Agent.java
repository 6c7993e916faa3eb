package io.qtx.agent;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.Dispatcher;
import io.qtx.agent.handlers.ExecHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.handlers.admin.FreezeHandlers;
import io.qtx.agent.handlers.admin.FreezeState;
import io.qtx.agent.handlers.admin.PasswordHandler;
import io.qtx.agent.handlers.admin.PowerHandler;
import io.qtx.agent.handlers.admin.ProcessHandlers;
import io.qtx.agent.handlers.admin.Scheduler;
import io.qtx.agent.handlers.admin.SystemInfoHandler;
import io.qtx.agent.handlers.admin.TimeHandlers;
import io.qtx.agent.handlers.files.DeleteHandler;
import io.qtx.agent.handlers.files.FileReadHandler;
import io.qtx.agent.handlers.files.FileWriteHandler;
import io.qtx.agent.handlers.files.ListDirHandler;
import io.qtx.agent.handlers.files.MakeDirHandler;
import io.qtx.agent.handlers.files.StatHandler;
import io.qtx.agent.handlers.files.Uploads;
import io.qtx.agent.policy.Policy;
import io.qtx.agent.port.AgentConnection;
import io.qtx.agent.port.ConnectionState;
import io.qtx.agent.port.PortAddress;
import io.qtx.agent.telemetry.FilesystemReader;
import io.qtx.agent.telemetry.KernelFiles;
import io.qtx.agent.telemetry.TelemetryCollector;
import io.qtx.epoll.EventLoop;
import io.qtx.ffi.NativeException;
import io.qtx.kit.Identity;
import io.qtx.proto.AgentCounters;
import io.qtx.proto.Capabilities;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Role;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Handshake;

/**
 * The agent assembled: one event loop, the connection, the dispatcher with every handler,
 * the worker pool and the telemetry pump. {@link Main} runs one; tests run one against the
 * channel simulator with fake {@link SystemActions}.
 */
public final class Agent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final EventLoop loop;
    private final ThreadPoolExecutor workers;
    private final FreezeState freeze;
    private final Dispatcher dispatcher;
    private final AgentConnection connection;
    private final TelemetryPump telemetry;
    private final Audit audit = new Audit();
    private final FilesystemReader filesystems;
    private final Uploads uploads;
    private final Consumer<ConnectionState> onState;

    public Agent(AgentConfig config, SystemActions actions, Consumer<ConnectionState> onState) throws NativeException {
        this.onState = onState;
        loop = EventLoop.start("agent-loop");
        workers = WorkerPool.create(config.workers(), config.workersQueue(), Duration.ofMinutes(1));
        KernelFiles files = KernelFiles.system();
        Policy policy = Policy.of(config);
        filesystems = new FilesystemReader(files);
        freeze = new FreezeState(actions.freezer());
        uploads = new Uploads(config.uploadJournal(), config.uploadIdle(), freeze::isFrozen);
        dispatcher = new Dispatcher(loop, workers, policy, audit, freeze::isFrozen);
        addHandlers(config, actions, files, policy);

        ChannelOptions options = ChannelOptions.defaults(ChannelOptions.Kind.VIRTIO_PORT)
                .withWriteTimeout(config.writeTimeout())
                .withOutboundCapacity(config.outboundCapacity());
        Handshake.Identity identity = Identity.of(Role.ROLE_AGENT, Version.VERSION, options.maxInboundPayload(),
                capabilities(config, policy));
        connection = new AgentConnection(loop, new PortAddress(config.port(), java.nio.file.Path.of("/")), options,
                identity, dispatcher, this::extraCounters, this::connectionChanged);
        TelemetryCollector collector = new TelemetryCollector(files, true, this::countersFromAnyThread);
        telemetry = new TelemetryPump(loop, config.telemetryInterval(), collector::collect, connection::sendTelemetry);
    }

    private void addHandlers(AgentConfig config, SystemActions actions, KernelFiles files, Policy policy) {
        Users users = Users.system();
        Scheduler scheduler = (delay, task) -> {
            var timer = loop.schedule(delay, task);
            return () -> loop.execute(timer::cancel);
        };
        dispatcher.add(new SystemInfoHandler(files, Version.VERSION))
                .add(new ExecHandler(config, users))
                .add(new FileReadHandler(policy.paths(), config.maxChunk()))
                .add(new FileWriteHandler(policy.paths(), config.maxChunk(), uploads))
                .add(new StatHandler(policy.paths(), users))
                .add(new ListDirHandler(policy.paths(), users))
                .add(new MakeDirHandler(policy.paths()))
                .add(new DeleteHandler(policy.paths()))
                .add(new PowerHandler(actions.power(), scheduler))
                .add(FreezeHandlers.quiesce(freeze, filesystems::mounts, config.maxThaw()))
                .add(FreezeHandlers.thaw(freeze))
                .add(TimeHandlers.set(actions.clock()))
                .add(TimeHandlers.sync(actions.clock()))
                .add(new PasswordHandler(actions.password(), users))
                .add(ProcessHandlers.list(files, users))
                .add(ProcessHandlers.signal());
    }

    /** What the Hello says this agent serves, and of that what its policy allows. */
    private Capabilities capabilities(AgentConfig config, Policy policy) {
        Set<RequestKind> allowed = EnumSet.noneOf(RequestKind.class);
        dispatcher.served().stream().filter(policy::allows).forEach(allowed::add);
        return Capabilities.newBuilder().addAllServed(dispatcher.served()).addAllAllowed(allowed)
                .setTelemetryIntervalMs((int) config.telemetryInterval().toMillis()).build();
    }

    /**
     * The connection's counters beyond the channel's own. Called on the loop once the connection
     * runs, which {@link #start()} begins after the constructor has made the telemetry pump.
     */
    private AgentCounters.Builder extraCounters() {
        return AgentCounters.newBuilder().setTelemetryDropped(telemetry.dropped())
                .setRequestsExpired(dispatcher.expired());
    }

    private void connectionChanged(ConnectionState state) {
        // Telemetry's timer runs only while a host listens: no host, no wake-ups.
        telemetry.running(state == ConnectionState.RUNNING);
        onState.accept(state);
    }

    /** Starts looking for the port; telemetry follows once a host is there. */
    public void start() {
        LOG.log(System.Logger.Level.INFO, "quantix-kvm-agent " + Version.VERSION + " starting");
        // An agent killed while holding a freeze (SIGKILL, the watchdog's SIGABRT) thawed nothing.
        freeze.thawLeftovers(FreezeHandlers.freezable(filesystems.mounts()));
        uploads.removeLeftovers();
        connection.start();
    }

    public EventLoop loop() {
        return loop;
    }

    public Audit audit() {
        return audit;
    }

    public FreezeState freeze() {
        return freeze;
    }

    long telemetrySent() {
        return telemetry.sent();
    }

    /** The counters, read on the loop (they are the loop's). */
    private AgentCounters countersFromAnyThread() {
        if (loop.inLoop()) {
            return connection.counters();
        }
        var result = new java.util.concurrent.CompletableFuture<AgentCounters>();
        try {
            loop.execute(() -> result.complete(connection.counters()));
            return result.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return AgentCounters.getDefaultInstance();
        }
    }

    /** Thaws anything frozen, closes the channel and the loop, stops the workers. */
    @Override
    public void close() {
        if (freeze.isFrozen()) {
            freeze.thawAll("the agent is stopping");
        }
        telemetry.close();
        try {
            loop.execute(connection::stop);
        } catch (java.util.concurrent.RejectedExecutionException alreadyStopping) {
            // closed before
        }
        loop.close();
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
