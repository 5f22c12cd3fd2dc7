/// A request, from the code that started a long computation, to give it up: the large kernels
/// (convolutions tiled by rows or bands) look at it between tiles and return early, leaving their
/// output incomplete. The caller that bound the check must then discard the result; nothing else
/// sees one (without a bound check the kernels always finish).
///
/// Bound per thread (a task-local, also usable from plain threads), so a background render can be
/// given up while another thread's work, with no check bound, runs to the end. Used by the
/// explorer: a 1024 px layer runs a tenth of a second or more, and a key pressed meanwhile must not
/// wait for it.
package final class KernelCancellation: @unchecked Sendable {
    @TaskLocal static var current: KernelCancellation?
    private let test: () -> Bool

    private init(_ test: @escaping () -> Bool) { self.test = test }

    /// Runs `body` with `isCancelled` looked at between the tiles of every large kernel it calls on
    /// this thread. `isCancelled` must be cheap and callable from this thread.
    package static func run<R>(checking isCancelled: (() -> Bool)?, _ body: () throws -> R) rethrows -> R {
        guard let isCancelled else { return try body() }
        return try withoutActuallyEscaping(isCancelled) { test in
            try $current.withValue(KernelCancellation(test), operation: body)
        }
    }

    /// Whether the computation on this thread should stop (false when no check is bound).
    @inline(__always) package static var isRequested: Bool { current?.test() ?? false }

    /// The check bound on this thread, for kernels that hand their tiles to other threads (which
    /// do not see this thread's binding): look at `requested` there.
    @inline(__always) package static var bound: KernelCancellation? { current }
    @inline(__always) package var requested: Bool { test() }
}
