import CarewatchCore
import Dispatch
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
    /// Writes block until their journal record is on disk. They wait here, off the event
    /// loops, so that reads on the same loop never queue behind an fsync, and concurrent
    /// writers can share one fsync (group commit).
    let writeQueue = DispatchQueue(label: "carewatch.writes", qos: .userInitiated, attributes: .concurrent)

    /// Set once, when loading finishes; the server answers (503) before that, so that
    /// orchestrators see a live but not ready process during a long start-up.
    private nonisolated(unsafe) var loadedStore: Store?
    private let loaded = Atomic<Bool>(false)

    init(authenticator: BearerAuthenticator, readiness: Readiness, clock: WallClock = .system) {
        self.authenticator = authenticator
        self.readiness = readiness
        self.clock = clock
    }

    /// Publishes the loaded store. The releasing store of `loaded` orders the write of
    /// `loadedStore` before any reader's acquiring load that sees `true`.
    func storeLoaded(_ store: Store) {
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

    /// A write handler: checks the key on the event loop, then runs off it and answers once
    /// the change is durable (or has failed without effect).
    func write(_ body: @escaping @Sendable (HTTPRequest, Store) throws -> HTTPResponse) -> HTTPHandler {
        { request, responder in
            let store: Store
            do throws(APIError) {
                try self.authenticator.authorize(request)
                store = try self.store
            } catch {
                responder.respond(error.response)
                return
            }
            self.writeQueue.async {
                do {
                    responder.respond(try body(request, store))
                } catch {
                    responder.respond(APIError(storeError: error).response)
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
