import CarewatchCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's own messages (start-up, readiness, draining, problems), one JSON line each
/// on standard error, so they never mix with the access log on standard output and a log
/// shipper can parse both.
enum Log {
    private static let threshold = Atomic<Int>(1)
    private static let levels: [CarewatchConfiguration.LogLevel] = CarewatchConfiguration.LogLevel.allCases

    static func setLevel(_ level: CarewatchConfiguration.LogLevel) {
        threshold.store(levels.firstIndex(of: level) ?? 1, ordering: .relaxed)
    }

    static func debug(_ message: @autoclosure () -> String) { write(.debug, message) }
    static func info(_ message: @autoclosure () -> String) { write(.info, message) }
    static func warning(_ message: @autoclosure () -> String) { write(.warning, message) }
    static func error(_ message: @autoclosure () -> String) { write(.error, message) }

    private static func write(_ level: CarewatchConfiguration.LogLevel, _ message: () -> String) {
        guard let rank = levels.firstIndex(of: level), rank >= threshold.load(ordering: .relaxed) else { return }
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("time", Timestamp.now().description)
        writer.field("level", level.rawValue)
        writer.field("message", message())
        writer.endObject()
        var line = writer.bytes
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
