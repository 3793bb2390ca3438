import Glibc

/// The router frozen for serving: class nodes (no copying while matching), children in small
/// arrays (no hashing), and matching that walks the path's UTF-8 in place without splitting it
/// into an array of strings.
final class RouteTable: Sendable {
    final class Node: Sendable {
        let literals: [(segment: String, node: Node)]
        let param: Node?
        let entries: [Router.Entry]
        let pattern: String?
        let allow: String

        init(_ n: Router.Node) {
            literals = n.literals.sorted { $0.key < $1.key }.map { (segment: $0.key, node: Node($0.value)) }
            param = n.param.first.map { Node($0) }
            let order: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]
            entries = n.entries.values.sorted {
                (order.firstIndex(of: $0.method) ?? 99, $0.method.rawValue) < (order.firstIndex(of: $1.method) ?? 99, $1.method.rawValue)
            }
            pattern = n.pattern
            allow = Router.allow(n)
        }

        @inline(__always)
        func entry(for method: HTTPMethod) -> Router.Entry? {
            for e in entries where e.method == method { return e }
            if method == .head { for e in entries where e.method == .get { return e } }
            return nil
        }
    }

    let root: Node

    init(_ router: Router) { root = Node(router.root) }

    /// Matches a path ("/a/b"); parameter values are the raw (still encoded, if it was) segments.
    func match(_ path: String) -> (node: Node, values: [String])? {
        var path = path
        return path.withUTF8 { p -> (node: Node, values: [String])? in
            guard p.count > 0, p[0] == UInt8(ascii: "/") else { return nil }
            var ranges: [Range<Int>] = []
            guard let node = RouteTable.match(root, p, 1, &ranges) else { return nil }
            let values = ranges.map { String(decoding: UnsafeBufferPointer(rebasing: p[$0]), as: UTF8.self) }
            return (node, values)
        }
    }

    /// `start` is the index just after a '/', or nil-equivalent `p.count + 1` once the path is used up.
    private static func match(_ node: Node, _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ ranges: inout [Range<Int>]) -> Node? {
        if start > p.count { return node.entries.isEmpty ? nil : node }
        var end = start
        while end < p.count && p[end] != UInt8(ascii: "/") { end += 1 }
        let next = end + 1   // past the '/', or p.count + 1 when this was the last segment
        let count = end - start
        for (literal, child) in node.literals where literal.utf8.count == count {
            var literal = literal
            let same = literal.withUTF8 { l in
                count == 0 || memcmp(l.baseAddress!, p.baseAddress! + start, count) == 0
            }
            if same, let found = match(child, p, next, &ranges) { return found }
        }
        if let child = node.param, count > 0 {
            ranges.append(start..<end)
            if let found = match(child, p, next, &ranges) { return found }
            ranges.removeLast()
        }
        return nil
    }

    func bodyLimit(method: HTTPMethod, path: String) -> Int? {
        match(path)?.node.entry(for: method)?.bodyLimit
    }
}
