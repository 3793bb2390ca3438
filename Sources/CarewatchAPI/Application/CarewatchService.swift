import CarewatchCore
import Foundation
import HTTPEngine

/// A running carewatch server: the HTTP engine bound to a port with the API routed onto a
/// loaded store. The executable serves one until SIGTERM; tests start them on ephemeral ports.
public final class CarewatchService: Sendable {
    public let server: HTTPServer
    let context: APIContext
    private let readiness: Readiness

    /// Binds first, so that a live process answers `/healthz` (and `/readyz` with 503) while a
    /// large data directory loads; then opens the store and turns ready. A request for the
    /// data that comes while it loads waits for it (`StoreGate`) rather than being refused.
    public static func start(_ configuration: CarewatchConfiguration) throws -> CarewatchService {
        try start(configuration, observer: StartObserver())
    }

    /// What tests watch of start-up, to act on events rather than on time.
    struct StartObserver: Sendable {
        /// After the port is bound, before the data loads, on the loading thread: a test may
        /// block here to hold the load.
        var bound: @Sendable (_ port: Int) -> Void = { _ in }
        /// Each time a request starts waiting for the data, with how many wait.
        var parked: @Sendable (_ waiting: Int) -> Void = { _ in }
    }

    static func start(_ configuration: CarewatchConfiguration, observer: StartObserver) throws -> CarewatchService {
        let keys = try configuration.resolvedAPIKeys()
        if keys.isEmpty {
            Log.warning("no API keys configured (CAREWATCH_API_KEYS or --api-key-file): writes will be refused with 401")
        }
        let readiness = Readiness()
        let gate = StoreGate(maximumWait: .seconds(configuration.responseTimeout), parked: observer.parked)
        let context = APIContext(authenticator: BearerAuthenticator(keys: keys), readiness: readiness, gate: gate, clock: configuration.clock,
                                 streams: ChangeStreamHub.Settings(heartbeat: .seconds(configuration.streamHeartbeat), maxLag: .seconds(configuration.streamMaxLag)))
        let metrics = RequestMetrics(namespace: "carewatch")
        let serverBox = ServerBox()
        let router = APIRouter.make(
            context: context, metrics: metrics, corsOrigins: configuration.corsOrigins,
            accessLog: configuration.accessLog, importBodyLimit: configuration.maxImportBodyBytes,
            openConnections: { serverBox.server?.openConnections ?? 0 },
            engineStatistics: { serverBox.server?.statistics })
        // The directory is claimed (made if missing, and locked) before the port is bound, so
        // that a second server on a directory in use fails before it says it is listening.
        let options = configuration.storeOptions()
        let claim = try Store.claim(path: configuration.dataDirectory, options: options)
        let server = HTTPServer(configuration: configuration.serverConfiguration, router: router)
        serverBox.server = server
        do {
            try server.start()
        } catch {
            claim.releaseRemovingWhatItMade()
            throw error
        }
        Log.info("listening on \(configuration.host) port \(server.boundPort); \(configuration)")
        observer.bound(server.boundPort)

        let clock = ContinuousClock()
        let started = clock.now
        let store: Store
        do {
            store = try configuration.openStore(claim, options: options)
        } catch {
            gate.fail()
            server.shutdown(timeout: .zero)
            throw error
        }
        context.storeLoaded(store)
        readiness.set(true)
        let state = store.state
        Log.info("ready: \(state.councilCount) councils, \(state.inspectionCount) inspections, \(state.workforceCount) workforce rows loaded from \(configuration.dataDirectory) in \(clock.now - started)")
        return CarewatchService(server: server, context: context, readiness: readiness)
    }

    private init(server: HTTPServer, context: APIContext, readiness: Readiness) {
        self.server = server
        self.context = context
        self.readiness = readiness
    }

    public var port: Int { server.boundPort }

    /// Not ready, drain in-flight requests, then a final snapshot and the directory lock released.
    public func stop(timeout: Double? = nil) {
        readiness.set(false)
        server.shutdown(timeout: timeout.map { .seconds($0) })
        context.gate.current?.close()
    }

    /// `carewatch serve`: runs until SIGTERM or SIGINT, then drains and writes a final snapshot.
    public static func serve(_ configuration: CarewatchConfiguration) throws -> Int32 {
        // Before anything else: a SIGTERM that arrives while the data loads, or just after the
        // server turns ready, must start a drain, not end the process with no final snapshot.
        let signals = TerminationSignals()
        let service: CarewatchService
        do {
            service = try start(configuration)
        } catch {
            signals.restore()
            throw error
        }
        Log.info(SeedData.attribution)
        service.server.runUntilTerminated(
            signals: signals,
            beforeDrain: {
                service.readiness.set(false)
                Log.info("draining: no longer ready, finishing in-flight requests")
            },
            afterDrain: {
                service.context.gate.current?.close()
                Log.info("stopped: final snapshot written")
            })
        return 0
    }
}

/// Lets the metrics route read the server's connection count although the server is built
/// from the router that contains the route.
final class ServerBox: @unchecked Sendable {
    /// Written once before the server starts accepting, read only afterwards.
    var server: HTTPServer?
}

extension CarewatchConfiguration {
    var serverConfiguration: ServerConfiguration {
        var server = ServerConfiguration()
        server.host = host
        server.port = port
        if let threads { server.eventLoopCount = threads }
        server.maxConnections = maxConnections
        server.maxBodyBytes = maxBodyBytes
        server.maxHeaderBytes = maxHeaderBytes
        server.headerTimeout = .seconds(headerTimeout)
        server.bodyTimeout = .seconds(bodyTimeout)
        server.idleTimeout = .seconds(idleTimeout)
        server.writeTimeout = .seconds(writeTimeout)
        server.responseTimeout = .seconds(responseTimeout)
        server.minimumDataRate = minimumDataRate > 0 ? MinimumDataRate(bytesPerSecond: minimumDataRate, grace: .seconds(5)) : nil
        server.drainTimeout = .seconds(drainTimeout)
        // A server process: a closed stdout pipe must not kill it, and 10,000 connections need
        // more than the usual 1024 descriptors.
        server.ignoresSIGPIPE = true
        server.raisesDescriptorLimit = true
        return server
    }
}
