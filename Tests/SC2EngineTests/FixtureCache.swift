import Foundation

/// A fixture made once per test run and shared by the tests that ask for it. Unlike
/// `static let x = try! ...`, a failure to make it does not crash the whole run: it is thrown,
/// once made and kept, to every test that calls `get()` with `try`, and fails just those tests.
final class FixtureCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error>?
    private let make: () throws -> Value

    init(_ make: @escaping () throws -> Value) { self.make = make }

    func get() throws -> Value {
        lock.lock(); defer { lock.unlock() }
        if result == nil { result = Result { try make() } }
        return try result!.get()
    }
}
