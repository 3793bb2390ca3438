import Glibc

/// Thin wrappers over the socket calls the engine needs; failures become `HTTPServerError`s.
enum Socket {
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// "127.0.0.1:53422" or "[::1]:53422"; v4-mapped v6 addresses print as v4.
    static func describe(_ storage: UnsafePointer<sockaddr_storage>) -> String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var addr = sin.pointee.sin_addr
                inet_ntop(AF_INET, &addr, &buf, socklen_t(buf.count))
                return "\(buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }):\(UInt16(bigEndian: sin.pointee.sin_port))"
            }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                var addr = sin6.pointee.sin6_addr
                inet_ntop(AF_INET6, &addr, &buf, socklen_t(buf.count))
                var host = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                let port = UInt16(bigEndian: sin6.pointee.sin6_port)
                if host.hasPrefix("::ffff:"), host.contains(".") {
                    host.removeFirst(7)
                    return "\(host):\(port)"
                }
                return "[\(host)]:\(port)"
            }
        default:
            return "unknown"
        }
    }

    /// Creates a non-blocking listening socket bound to one address.
    static func listen(family: Int32, address: UnsafeRawPointer, length: socklen_t, v6Only: Bool?, backlog: Int32,
                       display: String) throws(HTTPServerError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed(address: display, operation: "create a socket for", errno: errno) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if family == AF_INET6, let v6Only { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, v6Only ? 1 : 0) }
        if bind(fd, address.assumingMemoryBound(to: sockaddr.self), length) != 0 {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw .addressInUse(address: display) }
            throw .socketFailed(address: display, operation: "bind", errno: code)
        }
        if Glibc.listen(fd, backlog) != 0 {
            let code = errno
            close(fd)
            throw .socketFailed(address: display, operation: "listen on", errno: code)
        }
        return fd
    }

    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard ok == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return 0
        }
    }
}
