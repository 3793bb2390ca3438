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

    /// Matches a path ("/a/b"); parameter values are raw slices of `path`.
    func match(_ path: String) -> (node: Node, values: [Substring])? {
        let whole = Substring(path)
        guard let first = whole.utf8.first, first == UInt8(ascii: "/") else { return nil }
        var values: [Substring] = []
        guard let node = RouteTable.match(root, whole.dropFirst(), &values) else { return nil }
        return (node, values)
    }

    private static func match(_ node: Node, _ rest: Substring?, _ values: inout [Substring]) -> Node? {
        guard let rest else { return node.entries.isEmpty ? nil : node }
        let segment: Substring
        let next: Substring?
        if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            segment = rest[..<slash]
            next = rest[rest.utf8.index(after: slash)...]
        } else {
            segment = rest
            next = nil
        }
        let count = segment.utf8.count
        for (literal, child) in node.literals where literal.utf8.count == count && literal.utf8.elementsEqual(segment.utf8) {
            if let found = match(child, next, &values) { return found }
        }
        if let child = node.param, count > 0 {
            values.append(segment)
            if let found = match(child, next, &values) { return found }
            values.removeLast()
        }
        return nil
    }

    func bodyLimit(method: HTTPMethod, path: String) -> Int? {
        match(path)?.node.entry(for: method)?.bodyLimit
    }
}
