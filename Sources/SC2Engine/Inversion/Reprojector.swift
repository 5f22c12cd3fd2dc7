import Foundation
import Tensor

/// Re-projection into W: the closed-form style-space start, then Adam on a multi-scale pixel
/// loss with analytic gradients through the synthesis network. Targets are either W+ codes
/// (their images) or images themselves (projection of a picture).
package struct Reprojector: Sendable {
    package let generator: Generator
    let styleSpace: StyleSpaceProjection
    package var learningRate: Float = 0.03
    /// Pixel-loss scales: 1 = full resolution, 2 = 2x2 averages, ...
    package var scales = [1, 2, 4]

    package init(generator: Generator) throws {
        self.generator = generator
        styleSpace = try StyleSpaceProjection(generator: generator)
    }

    package struct Result: Sendable {
        package let w: Tensor          // [N, wDim], or [N, numWs, wDim] for W+
        package let image: Tensor      // G(w) [N, 3, R, R]
        package let psnr: [Double]     // against the target, per image (peak-to-peak 2)
        package let losses: [Double]   // mean loss per step
    }

    /// W+ codes -> single w each, reconstructing their images.
    package func project(codes: Tensor, steps: Int, noise: NoiseMode = .const) -> Result {
        let target = generator.synthesis(codes, noise: noise)
        return refine(start: styleSpace.project(codes), target: target, steps: steps, noise: noise)
    }

    /// Adam with a cosine learning-rate decay on w [N, wDim] (one w per image, broadcast to every
    /// row), or on W+ codes [N, numWs, wDim] (every row free) when `start` has rank 3.
    package func refine(start: Tensor, target: Tensor, steps: Int, noise: NoiseMode = .const,
                       progress: ((Int, Double) -> Void)? = nil) -> Result {
        var w = start
        let plus = start.rank == 3
        let nw = generator.config.numWs, d = generator.config.wDim, n = w.shape[0]
        func codes(_ w: Tensor) -> Tensor { plus ? w : generator.broadcast(w) }
        var m = [Float](repeating: 0, count: w.count), v = m
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8
        var losses: [Double] = []
        for t in 0..<steps {
            let (_, loss, gws) = generator.synthesis.forwardBackward(codes(w), noise: noise) { img in
                Self.multiScaleLoss(img, target, scales: scales)
            }
            losses.append(loss)
            let lr = learningRate * 0.5 * (1 + cos(Float.pi * Float(t) / Float(max(steps, 1))))
            let bc1 = 1 - pow(b1, Float(t + 1)), bc2 = 1 - pow(b2, Float(t + 1))
            for i in 0..<n {
                for k in 0..<(plus ? nw * d : d) {
                    var g: Float = 0
                    if plus { g = gws.data[i * nw * d + k] } else { for r in 0..<nw { g += gws.data[(i * nw + r) * d + k] } }
                    let j = i * (plus ? nw * d : d) + k
                    m[j] = b1 * m[j] + (1 - b1) * g
                    v[j] = b2 * v[j] + (1 - b2) * g * g
                    w.data[j] -= lr * (m[j] / bc1) / ((v[j] / bc2).squareRoot() + eps)
                }
            }
            progress?(t + 1, loss)
        }
        let image = generator.synthesis(codes(w), noise: noise)
        return Result(w: w, image: image, psnr: Self.psnr(image, target), losses: losses)
    }

    /// Sum over scales of the mean squared error of s x s averages, and its gradient.
    static func multiScaleLoss(_ img: Tensor, _ target: Tensor, scales: [Int]) -> (loss: Double, gradient: Tensor) {
        let n = img.shape[0], c = img.shape[1], h = img.shape[2], w = img.shape[3]
        precondition(target.shape == img.shape, "multiScaleLoss: target \(target.shape) vs image \(img.shape)")
        var grad = Tensor(zeros: img.shape)
        var loss = 0.0
        // Through raw pointers (the same arithmetic in the same order as indexing the tensors,
        // without a uniqueness check per element written).
        img.data.withUnsafeBufferPointer { ip in
        target.data.withUnsafeBufferPointer { tp in
        grad.data.withUnsafeMutableBufferPointer { gp in
            let ip = ip.baseAddress!, tp = tp.baseAddress!, gp = gp.baseAddress!
            for s in scales where h % s == 0 && w % s == 0 {
                let ph = h / s, pw = w / s
                let count = Float(n * c * ph * pw)
                let inv = 1 / Float(s * s)
                for p in 0..<(n * c) {
                    let base = p * h * w
                    for y in 0..<ph { for x in 0..<pw {
                        var diff: Float = 0
                        for dy in 0..<s { for dx in 0..<s {
                            let i = base + (y * s + dy) * w + x * s + dx
                            diff += ip[i] - tp[i]
                        } }
                        diff *= inv
                        loss += Double(diff * diff) / Double(count)
                        let g = 2 * diff / count * inv
                        for dy in 0..<s { for dx in 0..<s { gp[base + (y * s + dy) * w + x * s + dx] += g } }
                    } }
                }
            }
        } } }
        return (loss, grad)
    }

    /// PSNR per image for values in [-1, 1] (peak-to-peak 2).
    package static func psnr(_ a: Tensor, _ b: Tensor) -> [Double] {
        let n = a.shape[0], per = a.count / max(n, 1)
        return (0..<n).map { i in
            var mse = 0.0
            for k in 0..<per {
                let x = Double(min(max(a.data[i * per + k], -1), 1)), y = Double(min(max(b.data[i * per + k], -1), 1))
                mse += (x - y) * (x - y)
            }
            mse /= Double(per)
            return mse > 0 ? 10 * log10(4 / mse) : 99
        }
    }
}
