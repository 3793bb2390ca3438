import CarewatchCore
import Foundation

/// store-bench writes DIR CLIENTS SECONDS   durable writes/s with CLIENTS concurrent writers
/// store-bench open DIR                     time to open (snapshot + journal replay) and peak RSS,
///                                          then a query, a durable write and a full snapshot
/// store-bench load DIR                     only the open: time, peak RSS and the heap it holds
let arguments = CommandLine.arguments

func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func now() -> Double { Date().timeIntervalSince1970 }

func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

/// Resident memory once the allocator has given its free pages back (glibc `malloc_trim`):
/// what the process really holds.
func trimmedResidentMiB() -> Double {
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    return Double(residentKiB()) / 1024
}

var options = StoreOptions()
options.seedWhenEmpty = false
options.log = { _ in }

switch arguments.count > 1 ? arguments[1] : "" {
case "writes":
    let directory = arguments[2]
    let clients = Int(arguments[3])!
    let seconds = Double(arguments[4])!
    let store = try Store.open(path: directory, options: options)
    let council = Council(code: "E06000001", laCode: 805, slug: "hartlepool", name: "Hartlepool", region: .northEast, kind: .unitary)
    if store.state.council(named: council.code) == nil { try store.apply([.putCouncil(council)]) }
    let before = store.statistics
    let deadline = now() + seconds
    let group = DispatchGroup()
    final class Latencies: @unchecked Sendable {
        let lock = NSLock()
        var values: [Double] = []
        func add(_ more: [Double]) { lock.lock(); values += more; lock.unlock() }
    }
    let collected = Latencies()
    let start = now()
    for client in 0..<clients {
        group.enter()
        Thread {
            var mine: [Double] = []
            var index = 0
            while now() < deadline {
                // Years before the embedded series (2000-2016): the store refuses years to come.
                let row = WorkforceYear(council: "E06000001", year: 2000 + (client * 7 + index) % 17, employedFTE: Double(index % 500) + 0.5,
                                        agencyFTE: 10, agencyRate: nil)
                let t0 = now()
                _ = try! store.write { _ in ([.putWorkforce(row)], ()) }
                mine.append(now() - t0)
                index += 1
            }
            collected.add(mine)
            group.leave()
        }.start()
    }
    group.wait()
    let elapsed = now() - start
    let after = store.statistics
    store.close()
    let latencies = collected.values.sorted()
    let commits = after.commits - before.commits
    let syncs = after.syncs - before.syncs
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
    print(String(format: "carewatch store: clients=%d writes=%d seconds=%.2f writes/s=%.0f fdatasyncs=%d writes/sync=%.1f p50=%.2fms p99=%.2fms",
                 clients, commits, elapsed, Double(commits) / elapsed, syncs, Double(commits) / Double(max(1, syncs)), percentile(0.5), percentile(0.99)))
case "open":
    let directory = arguments[2]
    let t0 = now()
    let store = try Store.open(path: directory, options: options)
    let elapsed = now() - t0
    let state = store.state
    print(String(format: "carewatch store: open %.2fs, %d councils, %d workforce rows, generation %llu, peak RSS %.0f MiB",
                 elapsed, state.councilCount, state.workforceCount, state.generation, Double(peakRSSKiB()) / 1024))
    let t1 = now()
    let page = try state.workforce(WorkforceQuery(year: 2050, sort: SortKey(parameter: "-agency_rate"), limit: 50))
    print(String(format: "carewatch store: query year=2050 sort=-agency_rate over %d rows: %.1f ms", page.total, (now() - t1) * 1000))
    if let code = state.councilsAll().first?.code, let first = state.workforce(ofCouncil: code).first {
        // Twenty durable writes one after another: the median, as one fsync can take long.
        var times: [Double] = []
        for index in 0..<20 {
            var changed = first
            changed.caseload = Double(index)
            let t2 = now()
            try store.apply([.putWorkforce(changed)])
            times.append((now() - t2) * 1000)
        }
        times.sort()
        print(String(format: "carewatch store: durable writes on the 1M-row state, one at a time: median %.1f ms (%.1f … %.1f)", times[10], times[0], times[19]))
    }
    let t3 = now()
    try store.compact()
    print(String(format: "carewatch store: snapshot of %d rows: %.2fs, peak RSS now %.0f MiB", state.workforceCount, now() - t3, Double(peakRSSKiB()) / 1024))
    store.close()
case "load":
    let directory = arguments[2]
    let before = trimmedResidentMiB()
    let t0 = now()
    let store = try Store.open(path: directory, options: options)
    let elapsed = now() - t0
    let state = store.state
    let peak = Double(peakRSSKiB()) / 1024
    let data = trimmedResidentMiB() - before
    print(String(format: "carewatch store: open %.2fs, %d workforce rows, peak RSS %.0f MiB; in-memory data %.0f MiB (resident after open minus before, both after malloc_trim); peak / data %.2f; a row is %d bytes",
                 elapsed, state.workforceCount, peak, data, peak / data, MemoryLayout<WorkforceYear>.stride))
    store.close()
case "parse":
    // Where start-up time goes: reading, JSON parsing, record decoding.
    let t0 = now()
    let data = FileManager.default.contents(atPath: arguments[2])!
    let bytes = [UInt8](data)
    let body = bytes[(bytes.firstIndex(of: 0x0A)! + 1)...]
    let t1 = now()
    let json = try JSONParser.parse(body)
    let t2 = now()
    var count = 0
    for value in json["workforce"]?.arrayValue ?? [] {
        if let _ = try? WorkforceYear(json: value.objectValue.map { object -> JSONValue in
            var copy = object
            copy["version"] = nil
            return .object(copy)
        } ?? value) { count += 1 }
    }
    let t3 = now()
    print(String(format: "read %.2fs, parse %.2fs, decode+validate %d rows %.2fs, peak RSS %.0f MiB", t1 - t0, t2 - t1, count, t3 - t2, Double(peakRSSKiB()) / 1024))
default:
    print("usage: StoreBench writes DIR CLIENTS SECONDS | open DIR")
    exit(2)
}
