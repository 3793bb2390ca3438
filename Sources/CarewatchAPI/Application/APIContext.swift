import CarewatchCore
import HTTPEngine
import Synchronization

/// What every handler shares: the store, the cache of encoded answers, the key check, and
/// whether the server is ready. One instance per running server.
final class APIContext: Sendable {
    let cache = EncodedCache()
    let authenticator: BearerAuthenticator
    let readiness: Readiness
    /// What "today" is: the default `as_of` of statistics and the limit of dates a query may ask for.
    let clock: WallClock
    /// The open change streams (`GET /v1/changes/stream`).
    let streams: ChangeStreamHub

    /// Set once, when loading finishes; the server answers (503) before that, so that
    /// orchestrators see a live but not ready process during a long start-up.
    private nonisolated(unsafe) var loadedStore: Store?
    private let loaded = Atomic<Bool>(false)

    init(authenticator: BearerAuthenticator, readiness: Readiness, clock: WallClock = .system, streams: ChangeStreamHub.Settings = .init()) {
        self.authenticator = authenticator
        self.readiness = readiness
        self.clock = clock
        self.streams = ChangeStreamHub(settings: streams)
    }

    /// Publishes the loaded store. The releasing store of `loaded` orders the write of
    /// `loadedStore` before any reader's acquiring load that sees `true`.
    func storeLoaded(_ store: Store) {
        streams.follow(store)
        loadedStore = store
        loaded.store(true, ordering: .releasing)
    }

    var store: Store {
        get throws(APIError) {
            guard loaded.load(ordering: .acquiring), let store = loadedStore else {
                throw APIError(.serviceUnavailable, "the data is still loading; retry shortly", headers: [("Retry-After", "1")])
            }
            return store
        }
    }

    /// A read handler: runs on the connection's event loop against the latest durable state.
    func read(_ body: @escaping @Sendable (HTTPRequest, StoreState) throws(APIError) -> HTTPResponse) -> HTTPHandler {
        { request, responder in
            do throws(APIError) {
                responder.respond(try body(request, try self.store.state))
            } catch {
                responder.respond(error.response)
            }
        }
    }

    /// A write handler: checks the key, then runs `body` as a task that answers once the
    /// change is durable (or has failed without effect). No thread waits for the disk: the
    /// task suspends in `store.write` and the store's committer resumes it.
    ///
    /// The task starts right here on the event loop (`Task.immediate`) and runs up to that
    /// suspension: for an ordinary write, decoding the body, the transaction and queueing
    /// its journal record, a few microseconds that are not worth a thread hop. Once durable
    /// it goes on in the runtime's cooperative pool, and the answer hops back to the loop.
    /// `startsOnLoop: false` is for a write whose transaction is long (an import parses a
    /// whole file): it starts in the pool, so the loop keeps serving its other connections.
    func write(_ body: @escaping WriteBody, startsOnLoop: Bool = true) -> HTTPHandler {
        { request, responder in
            let store: Store
            let origin: Origin
            do throws(APIError) {
                let keyID = try self.authenticator.authorize(request)
                store = try self.store
                origin = Origin(kind: .write, keyID: keyID, request: "\(request.method.rawValue) \(request.path)")
            } catch {
                responder.respond(error.response)
                return
            }
            if startsOnLoop {
                Task.immediate { await APIContext.run(body, request, store, responder, origin) }
            } else {
                Task { await APIContext.run(body, request, store, responder, origin) }
            }
        }
    }
}

/// Readiness for `/readyz`: false while the store loads and again once draining starts, so a
/// load balancer stops sending traffic before the server stops answering.
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    var isReady: Bool { ready.load(ordering: .acquiring) }

    func set(_ value: Bool) { ready.store(value, ordering: .releasing) }
}

extension APIContext {
    typealias WriteBody = @Sendable (HTTPRequest, Store) async throws -> HTTPResponse

    /// Answers with what `body` returns, or with the problem it threw. The store's writes made
    /// by `body` are attributed to `origin` (the request and its key's identifier).
    private static func run(_ body: WriteBody, _ request: HTTPRequest, _ store: Store, _ responder: Responder, _ origin: Origin) async {
        await Origin.$current.withValue(origin) {
            do {
                responder.respond(try await body(request, store))
            } catch {
                responder.respond(APIError(storeError: error).response)
            }
        }
    }
}
