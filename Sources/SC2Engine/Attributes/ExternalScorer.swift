import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A user's program that scores images: started once, it speaks `sc2gan-scorer/1` over its
/// stdin and stdout (docs/SCORER.md). It names its attributes and input size in a handshake
/// line; then each batch is a JSON header line plus raw 8-bit RGB pixels, answered by one line
/// of JSON scores. So CLIP, an ONNX model or any Python classifier plugs in
/// (tools/scorers/). Every way it can fail (no handshake, a crash, a hang, garbage, the wrong
/// number of scores, NaN) is a one-line error naming the command; the process is then killed
/// and every later call fails with the same line, so no caller keeps half a batch.
///
/// I/O runs in one poll loop over non-blocking pipes: the batch is written while stdout and
/// stderr are read, so a large batch cannot deadlock against a scorer that writes, and a
/// scorer that stops reading or answering runs into the timeout.
public final class ExternalScorer: AttributePredictor, @unchecked Sendable {
    public static let protocolName = "sc2gan-scorer/1"
    /// Seconds the scorer may take to start (handshake) and to answer each batch.
    public static let defaultTimeout: Double = 120

    // Set by the handshake, read-only afterwards.
    public private(set) var attributes: [String] = []
    public private(set) var inputSize = 0
    public private(set) var domain: String?
    /// The command line as given.
    public let path: String
    /// The command line and the handshake: another program, other arguments or a scorer that
    /// reports other weights (its handshake's `identity`) make other caches.
    public private(set) var identity = ""
    public let timeout: Double

    private let process: Process
    private let stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32
    private let handles: [FileHandle]
    private let lock = NSLock()
    private var stdoutBuffer: [UInt8] = []
    private var stderrTail: [UInt8] = []
    private var stdinOpen = true, stdoutOpen = true, stderrOpen = true
    /// Set once the scorer failed: every later call throws it.
    private var failure: SC2Error?

    /// Starts `command` (split into words like a shell does, quotes and backslashes; no shell
    /// runs it) and reads its handshake.
    public init(command: String, timeout: Double = ExternalScorer.defaultTimeout) throws {
        let words = try Self.words(of: command)
        guard !words.isEmpty else { throw SC2Error(.scorerCommand(command), "is empty: give the command that starts the scorer") }
        path = command
        self.timeout = timeout
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")  // PATH look-up; env execs the command
        p.arguments = ["--"] + words
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input; p.standardOutput = output; p.standardError = errors
        do { try p.run() } catch {
            throw SC2Error("scorer \(command.quotedForMessage) could not be started: \(error.localizedDescription)")
        }
        process = p
        handles = [input.fileHandleForWriting, output.fileHandleForReading, errors.fileHandleForReading]
        stdinFD = input.fileHandleForWriting.fileDescriptor
        stdoutFD = output.fileHandleForReading.fileDescriptor
        stderrFD = errors.fileHandleForReading.fileDescriptor
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }

        let line: String, hello: Handshake
        do {
            line = try exchange(payload: [], maxLine: 1 << 20, what: "handshake")
            hello = try Self.parseHandshake(line, fail: fail)
        } catch let error as SC2Error {
            stop()
            throw error
        }
        (attributes, inputSize, domain) = (hello.attributes, hello.inputSize, hello.domain)
        identity = "scorer:" + ContentHash.of(Data((command + "\n" + line).utf8))
    }

    deinit { stop(grace: 2) }

    private struct Handshake { let attributes: [String]; let inputSize: Int; let domain: String? }

    public func probabilities(generated images: Tensor) throws -> [[Float]] {
        precondition(images.rank == 4 && images.shape[1] == 3, "images must be [N, 3, H, W]")
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        let n = images.shape[0]
        guard n > 0 else { return [] }
        let pixels = Self.rgbBytes(images, side: inputSize)
        let header = "{\"batch\": \(n), \"height\": \(inputSize), \"width\": \(inputSize), \"channels\": 3}\n"
        do {
            let line = try exchange(payload: Array(header.utf8) + pixels, maxLine: (1 << 20) + n * attributes.count * 40,
                                    what: "scores for a batch of \(n)")
            return try parseScores(line, count: n)
        } catch let error as SC2Error {
            failure = error
            stop()
            throw error
        }
    }

    /// Closes the scorer's stdin (a well-behaved scorer then exits) and kills it if it has not
    /// exited after `grace` seconds.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil { failure = fail("was closed") }
        stop(grace: 2)
    }

    // MARK: The process

    private func fail(_ why: String) -> SC2Error { SC2Error("scorer \(path.quotedForMessage) \(why)") }

    /// Ends the scorer: stdin closed, then SIGKILL after `grace` seconds if it still runs.
    private func stop(grace: Double = 0) {
        if stdinOpen { stdinOpen = false; try? handles[0].close() }
        let end = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < end { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        if stdoutOpen { stdoutOpen = false; try? handles[1].close() }
        if stderrOpen { stderrOpen = false; try? handles[2].close() }
    }

    /// Why the process ended, with the last line it wrote on stderr.
    private func deathMessage(_ when: String) -> SC2Error {
        process.waitUntilExit()
        drainStderr()
        let status = process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        let last = String(decoding: stderrTail, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.last(where: { !$0.isEmpty })
        let said = last.map { ": \(String($0.prefix(300)))" } ?? " (nothing on stderr)"
        return fail("\(status) \(when)\(said)")
    }

    private func drainStderr() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while stderrOpen {
            let got = read(stderrFD, &chunk, chunk.count)
            if got > 0 { keepStderr(chunk[0..<got]) } else { if got == 0 { stderrOpen = false }; return }
        }
    }

    private func keepStderr(_ bytes: ArraySlice<UInt8>) {
        stderrTail += bytes
        if stderrTail.count > 16_384 { stderrTail.removeFirst(stderrTail.count - 8_192) }
    }

    /// Writes `payload` to the scorer's stdin while reading its stdout and stderr, until one
    /// line has arrived on stdout (returned without its newline) and the payload is written.
    private func exchange(payload: [UInt8], maxLine: Int, what: String) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var written = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let newline = stdoutBuffer.firstIndex(of: 0x0a) {
                let line = String(decoding: stdoutBuffer[..<newline], as: UTF8.self)
                stdoutBuffer.removeSubrange(...newline)
                guard written == payload.count else {
                    throw fail("answered before reading the whole batch (\(written) of \(payload.count) bytes): \(Self.excerpt(line))")
                }
                return line
            }
            guard stdoutBuffer.count <= maxLine else {
                throw fail("wrote \(stdoutBuffer.count) bytes without a newline while sc2gan waited for \(what): not \(Self.protocolName) (\(Self.excerpt(String(decoding: stdoutBuffer.prefix(80), as: UTF8.self))))")
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw fail("sent no \(what) within \(Self.seconds(timeout)) s (SC2GAN_SCORER_TIMEOUT sets the limit); stopped it")
            }
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)]
            if stderrOpen { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            let writing = written < payload.count
            if writing { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 0.1) * 1000) + 1)
            if ready < 0 && errno != EINTR { throw fail("could not be read (poll: \(String(cString: strerror(errno))))") }

            if stderrOpen { drainStderr() }
            // stdout: whatever is there; end of file means the scorer is gone.
            var ended = false
            while true {
                let got = read(stdoutFD, &chunk, chunk.count)
                if got > 0 { stdoutBuffer += chunk[0..<got]; if stdoutBuffer.count > maxLine { break } } else { ended = got == 0; break }
            }
            if stdoutBuffer.contains(0x0a) { continue }
            if ended || !process.isRunning {
                if !ended {  // exited, but its stdout is still open somewhere: take what is left
                    let got = read(stdoutFD, &chunk, chunk.count)
                    if got > 0 { stdoutBuffer += chunk[0..<got]; continue }
                }
                let end = Date().addingTimeInterval(1)
                while process.isRunning && Date() < end { usleep(10_000) }
                if process.isRunning { throw fail("closed its output before sending \(what)") }
                throw deathMessage("before sending \(what)")
            }
            if writing {
                let count = min(payload.count - written, 1 << 20)
                let sent = payload.withUnsafeBytes { Self.writeWithoutSIGPIPE(stdinFD, $0.baseAddress! + written, count) }
                if sent > 0 {
                    written += sent
                } else if sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    // EPIPE: it closed its stdin or died; its exit status says which.
                    let end = Date().addingTimeInterval(1)
                    while process.isRunning && Date() < end { usleep(10_000) }
                    if process.isRunning { throw fail("stopped reading its input in the middle of a batch (\(written) of \(payload.count) bytes)") }
                    throw deathMessage("while reading a batch")
                }
            }
        }
    }

    /// `write(2)` that reports a closed pipe as EPIPE without raising SIGPIPE, whose default
    /// action would end the whole program when a scorer dies mid-batch. Process-wide signal
    /// handling is the program's: this blocks SIGPIPE on the calling thread only for the call
    /// (a broken pipe raises it on the writing thread), takes back the one it raised, and
    /// restores the thread's mask.
    static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        var pipeOnly = sigset_t(), previous = sigset_t(), pendingBefore = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        sigpending(&pendingBefore)
        let sent = write(fd, bytes, count)
        let writeError = errno
        if sent < 0 && writeError == EPIPE && sigismember(&pendingBefore, SIGPIPE) == 0 {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeOnly, nil, &none) < 0 && errno == EINTR {}
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        errno = writeError
        return sent
    }

    // MARK: The protocol

    private static func parseHandshake(_ line: String, fail: (String) -> SC2Error) throws -> Handshake {
        guard let object = json(line) as? [String: Any] else {
            throw fail("did not start with a \(protocolName) handshake (a JSON object on one line): got \(excerpt(line))")
        }
        guard let name = object["protocol"] as? String, name == protocolName else {
            throw fail("speaks \(String(describing: object["protocol"] ?? "no protocol")), not \(protocolName)")
        }
        guard let names = object["attributes"] as? [String], AttributeClassifier.Limits.attributes.contains(names.count),
              !names.contains(where: { $0.isEmpty || $0.contains(",") }), Set(names).count == names.count else {
            throw fail("handshake's \"attributes\" must list 1-\(AttributeClassifier.Limits.attributes.upperBound) distinct names without commas")
        }
        guard let size = object["input_size"] as? Int, (4...4096).contains(size) else {
            throw fail("handshake's \"input_size\" must be the side in pixels of the images it reads, 4-4096")
        }
        let domain = object["domain"] as? String
        return Handshake(attributes: names, inputSize: size, domain: domain?.isEmpty == false ? domain : nil)
    }

    private func parseScores(_ line: String, count n: Int) throws -> [[Float]] {
        guard let object = Self.json(line) as? [String: Any] else {
            if line.contains("NaN") || line.contains("Infinity") { throw fail("answered NaN or infinite scores: \(Self.excerpt(line))") }
            throw fail("answered something that is not a \(Self.protocolName) reply (one JSON object per batch): \(Self.excerpt(line))")
        }
        if let message = object["error"] as? String { throw fail("reported an error: \(Self.excerpt(message))") }
        guard let rows = object["scores"] as? [Any] else { throw fail("answered without \"scores\": \(Self.excerpt(line))") }
        guard rows.count == n else { throw fail("returned \(rows.count) rows of scores for a batch of \(n) images") }
        var out: [[Float]] = []
        out.reserveCapacity(n)
        for (i, row) in rows.enumerated() {
            guard let values = row as? [Any], values.count == attributes.count else {
                throw fail("returned a row of \((row as? [Any])?.count ?? 0) scores for image \(i); its handshake names \(attributes.count) attributes")
            }
            var scores: [Float] = []
            for (a, value) in values.enumerated() {
                let p: Double
                if let d = value as? Double { p = d } else if let k = value as? Int { p = Double(k) } else if let number = value as? NSNumber { p = number.doubleValue } else {
                    throw fail("returned a score that is not a number for image \(i), attribute \(attributes[a].quotedForMessage)")
                }
                guard p.isFinite, p >= 0, p <= 1 else {
                    throw fail("returned score \(p) for image \(i), attribute \(attributes[a].quotedForMessage): scores are probabilities in [0, 1]")
                }
                scores.append(Float(p))
            }
            out.append(scores)
        }
        return out
    }

    private static func json(_ line: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8))
    }

    private static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return (flat.count > 120 ? String(flat.prefix(120)) + "…" : flat).quotedForMessage
    }

    private static func seconds(_ t: Double) -> String { t == t.rounded() ? String(Int(t)) : String(t) }

    /// Generator output [N, 3, H, W] as the 8-bit pictures a person sees, area-resized to
    /// `side` when H or W differ (`RGBImage.resized`), interleaved RGB, image after image.
    package static func rgbBytes(_ images: Tensor, side: Int) -> [UInt8] {
        let n = images.shape[0], h = images.shape[2], w = images.shape[3]
        var out: [UInt8] = []
        out.reserveCapacity(n * side * side * 3)
        images.data.withUnsafeBufferPointer { src in
            for i in 0..<n {
                let image = RGBImage(planarCHW: UnsafeBufferPointer(rebasing: src[(i * 3 * h * w)..<((i + 1) * 3 * h * w)]),
                                     width: w, height: h)
                out += image.resized(width: side, height: side).pixels
            }
        }
        return out
    }

    /// A command line split into words as a POSIX shell would for a simple command: blanks
    /// separate words, '…' keeps everything literally, "…" keeps all but \" and \\, and a
    /// backslash outside quotes escapes the next character. Nothing is expanded.
    package static func words(of command: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var quote: Character? = nil, escaped = false
        for ch in command {
            if escaped {
                if quote == "\"" && ch != "\"" && ch != "\\" { current.append("\\") }
                current.append(ch); escaped = false; inWord = true
                continue
            }
            switch (quote, ch) {
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(current); current = ""; inWord = false }
            case (nil, "'"), (nil, "\""):
                quote = ch; inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
            default:
                current.append(ch); inWord = true
            }
        }
        guard quote == nil, !escaped else { throw SC2Error(.scorerCommand(command), "has an unterminated quote or a trailing backslash") }
        if inWord { words.append(current) }
        return words
    }
}
