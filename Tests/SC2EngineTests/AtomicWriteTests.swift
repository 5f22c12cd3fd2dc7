import XCTest
import Synchronization
@testable import SC2Engine

/// Every export goes through AtomicWrite: a reader never sees half a file, and a destination
/// that is not a regular file (a device, a FIFO, a link) keeps its kind.
final class AtomicWriteTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func kind(_ url: URL) -> mode_t {
        var st = stat()
        XCTAssertEqual(lstat(url.path, &st), 0)
        return st.st_mode & S_IFMT
    }

    func testReplacesRegularFileAndLeavesNoTemporaries() throws {
        let f = dir.appendingPathComponent("a.json")
        try AtomicWrite.write(Data("old".utf8), to: f)
        try AtomicWrite.write(Data("new".utf8), to: f)
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.json"])
    }

    func testFailedBodyLeavesOldFileIntact() throws {
        let f = dir.appendingPathComponent("a.txt")
        try AtomicWrite.write(Data("kept".utf8), to: f)
        XCTAssertThrowsError(try AtomicWrite.write(to: f) { tmp in
            try Data("half".utf8).write(to: tmp)
            throw SC2Error("interrupted")
        })
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "kept")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.txt"])
    }

    func testFollowsSymbolicLinkAndKeepsIt() throws {
        let target = dir.appendingPathComponent("real.png"), link = dir.appendingPathComponent("link.png")
        try Data("old".utf8).write(to: target)
        XCTAssertEqual(symlink("real.png", link.path), 0)
        try AtomicWrite.write(Data("new".utf8), to: link)
        XCTAssertEqual(kind(link), S_IFLNK)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new")
    }

    /// Writing to a FIFO (as to /dev/stdout or /dev/null) streams into it; the FIFO stays a FIFO.
    func testWritesThroughFIFO() throws {
        let fifo = dir.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let received = Mutex(Data())
        let done = expectation(description: "reader")
        let path = fifo.path
        let reader = Thread {
            let fd = open(path, O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buf, buf.count)
                if n <= 0 { break }
                received.withLock { $0.append(contentsOf: buf[0..<n]) }
            }
            close(fd)
            done.fulfill()
        }
        reader.start()
        let payload = Data((0..<10_000).map { UInt8($0 % 251) })
        try AtomicWrite.write(payload, to: fifo)
        wait(for: [done], timeout: 10)
        XCTAssertEqual(received.withLock { $0 }, payload)
        XCTAssertEqual(kind(fifo), S_IFIFO)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["pipe"])
    }

    func testRefusesFolderDestination() throws {
        let sub = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicWrite.write(Data("x".utf8), to: sub)) { error in
            XCTAssertTrue("\(error)".contains("is a folder"), "\(error)")
        }
    }
}
