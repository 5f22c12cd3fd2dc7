import XCTest
import Foundation
@testable import Tensor

/// The large kernels give up between tiles when the caller's check says so, and only then: with
/// no check bound, or one that never fires, the result is the ordinary one bit for bit.
final class KernelCancellationTests: XCTestCase {
    /// A check that is false for its first `after` calls, then true; counts its calls.
    final class Trip: @unchecked Sendable {
        let lock = NSLock()
        var calls = 0
        let after: Int
        init(after: Int) { self.after = after }
        func check() -> Bool { lock.lock(); defer { lock.unlock() }; calls += 1; return calls > after }
    }

    /// Runs `kernel` (writing into a NaN-filled output) three ways: unbound, bound to a check that
    /// never fires, and bound to one that fires at its first call. Returns the three outputs.
    func threeWays(shape: [Int], _ kernel: (inout Tensor) -> Void) -> (plain: Tensor, unfired: Tensor, fired: Tensor, firedCalls: Int) {
        var plain = Tensor(repeating: .nan, shape: shape)
        kernel(&plain)
        var unfired = Tensor(repeating: .nan, shape: shape)
        let never = Trip(after: .max)
        KernelCancellation.run(checking: never.check) { kernel(&unfired) }
        XCTAssertGreaterThan(never.calls, 1, "the kernel never looked at the check between tiles")
        var fired = Tensor(repeating: .nan, shape: shape)
        let now = Trip(after: 0)
        KernelCancellation.run(checking: now.check) { kernel(&fired) }
        return (plain, unfired, fired, now.calls)
    }

    func assertGivenUp(_ r: (plain: Tensor, unfired: Tensor, fired: Tensor, firedCalls: Int), _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(r.plain.isFinite, "\(what): the ordinary run left outputs unwritten", file: file, line: line)
        XCTAssertEqual(r.unfired.data, r.plain.data, "\(what): a check that never fires changed the result", file: file, line: line)
        let unwritten = r.fired.data.filter { $0.isNaN }.count
        // Given up at the first tile: most of the output was never written.
        XCTAssertGreaterThan(unwritten, r.fired.count / 2, "\(what): the kernel went on after the check fired", file: file, line: line)
        XCTAssertGreaterThanOrEqual(r.firedCalls, 1, file: file, line: line)
    }

    func testConv3x3RowTiles() {
        let ic = 32, oc = 4, h = 192, w = 192   // 288 * 36864 floats of columns > columnBudget: row tiles
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 1))
        let weight = randomArray(oc * ic * 9, seed: 2)
        assertGivenUp(threeWays(shape: [1, oc, h, w]) { Conv.conv3x3(x, weight: weight, outChannels: oc, scale: nil, into: &$0) }, "conv3x3")
    }

    func testUpConvBands() {
        let ic = 3, oc = 4, h = 700, w = 512      // bands of 225 input rows (FusedConvTests)
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 3))
        let weight = randomArray(oc * 9 * ic, seed: 4)
        assertGivenUp(threeWays(shape: [1, oc, 2 * h, 2 * w]) { Conv.upConv3x3FIR(x, weight: weight, outChannels: oc, scale: nil, into: &$0) }, "upConv3x3FIR")
    }

    func testUpWinogradChunks() {
        let ic = 64, oc = 64, h = 128, w = 128
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 5))
        let wg = UpWinogradWeights(weight: randomArray(oc * 9 * ic, seed: 6), outChannels: oc, inChannels: ic)
        assertGivenUp(threeWays(shape: [1, oc, 2 * h, 2 * w]) { Conv.upConv3x3FIRWinograd(x, weights: wg, scale: nil, into: &$0) }, "upConv3x3FIRWinograd")
    }

    func testWinogradChunks() {
        let ic = 32, oc = 32, h = 256, w = 256
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 7))
        let wg = WinogradWeights(weight: randomArray(oc * ic * 9, seed: 8), outChannels: oc, inChannels: ic)
        assertGivenUp(threeWays(shape: [1, oc, h, w]) { Conv.conv3x3Winograd(x, weights: wg, scale: nil, into: &$0) }, "conv3x3Winograd")
    }

    func testConv2dRowTiles() {
        let ic = 16, oc = 8, h = 300, w = 300, k = 7   // 784 * 150^2 floats of columns > columnBudget
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 9))
        let weight = randomArray(oc * ic * k * k, seed: 10), bias = [Float](repeating: 0, count: oc)
        // conv2d allocates its output: the unwritten part is whatever memory held, so compare.
        let plain = Conv.conv2d(x, weight: weight, bias: bias, outChannels: oc, kernel: k, stride: 2, padding: 3, relu: false)
        let never = Trip(after: .max)
        let unfired = KernelCancellation.run(checking: never.check) {
            Conv.conv2d(x, weight: weight, bias: bias, outChannels: oc, kernel: k, stride: 2, padding: 3, relu: false)
        }
        XCTAssertEqual(unfired.data, plain.data)
        XCTAssertGreaterThan(never.calls, 1, "conv2d never looked at the check between row tiles")
    }

    /// A check bound on one thread does not reach work on another.
    func testBindingIsPerThread() {
        let ic = 32, oc = 4, h = 192, w = 192
        let x = Tensor(shape: [1, ic, h, w], data: randomArray(ic * h * w, seed: 11))
        let weight = randomArray(oc * ic * 9, seed: 12)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var other = Tensor(repeating: .nan, shape: [1, oc, h, w])
        let now = Trip(after: 0)
        KernelCancellation.run(checking: now.check) {
            Thread {
                Conv.conv3x3(x, weight: weight, outChannels: oc, scale: nil, into: &other)
                done.signal()
            }.start()
            done.wait()
        }
        XCTAssertTrue(other.isFinite, "another thread's convolution was given up")
        XCTAssertEqual(now.calls, 0)
    }
}
