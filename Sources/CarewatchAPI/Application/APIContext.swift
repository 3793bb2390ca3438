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

    /// The store once loaded; requests that need it before then wait in the gate.
    let gate: StoreGate

    init(authenticator: BearerAuthenticator, readiness: Readiness, gate: StoreGate, clock: WallClock = .system,
         streams: ChangeStreamHub.Settings = .init()) {
        self.authenticator = authenticator
        self.readiness = readiness
        self.gate = gate
        self.clock = clock
        self.streams = ChangeStreamHub(settings: streams)
    }

    /// Publishes the loaded store and answers the requests that waited for it.
    func storeLoaded(_ store: Store) {
        streams.follow(store)
        gate.open(store)
    }

    /// Runs `body` with the store: now if it is loaded, else once it is (see `StoreGate`).
    /// If loading fails, `responder` gets the 503 instead.
    func withStore(_ responder: Responder, _ body: @escaping @Sendable (Store) -> Void) {
        gate.whenLoaded { store in
            guard let store else { return responder.respond(APIContext.loadFailed.response) }
            body(store)
        }
    }

    static let loadFailed = APIError(.serviceUnavailable, "the data could not be loaded; the server is stopping")

    /// A read handler: runs on the connection's event loop against the latest durable state
    /// (or, for a request that came while the data loaded, on the loading thread once it has).
    func read(_ body: @escaping @Sendable (HTTPRequest, StoreState) throws(APIError) -> HTTPResponse) -> HTTPHandler {
        { request, responder in
            if let store = self.gate.current {
                return APIContext.answer(request, store, responder, body)
            }
            let waiting = request
            self.withStore(responder) { store in APIContext.answer(waiting, store, responder, body) }
        }
    }

    private static func answer(_ request: HTTPRequest, _ store: Store, _ responder: Responder,
                               _ body: (HTTPRequest, StoreState) throws(APIError) -> HTTPResponse) {
        // The state is borrowed from its box, not copied (see `StateSnapshot`).
        let snapshot = store.snapshot
        do throws(APIError) {
            responder.respond(try body(request, snapshot.state))
        } catch {
            responder.respond(error.response)
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
            let origin: Origin
            do throws(APIError) {
                let keyID = try self.authenticator.authorize(request)
                origin = Origin(kind: .write, keyID: keyID, request: "\(request.method.rawValue) \(request.path)")
            } catch {
                responder.respond(error.response)
                return
            }
            let request = request
            self.withStore(responder) { store in
                if startsOnLoop {
                    Task.immediate { await APIContext.run(body, request, store, responder, origin) }
                } else {
                    Task { await APIContext.run(body, request, store, responder, origin) }
                }
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
