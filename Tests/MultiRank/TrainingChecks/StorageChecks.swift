import Foundation

/// Checkpoints onto a filesystem that cannot take them: a full disk (a small tmpfs mounted
/// for the check) stops every rank at the failed save with status 74 and a message naming
/// the checkpoint and the space it needs, the earlier checkpoint intact; with
/// `--on-save-error continue` training goes on; an output that cannot be created is refused
/// before training starts.
enum StorageChecks {
    /// Room for one checkpoint (weights and two AdamW moments, about 273 MB) plus the final
    /// model (about 91 MB), not for two checkpoints.
    static let diskMegabytes = 400

    static func run(_ h: inout Harness) {
        unwritableOutput(&h)
        let disk = h.work + "/small-disk"
        try? FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = Checks.shell("mount -t tmpfs -o size=\(diskMegabytes)m tmpfs \(disk) 2>&1 && echo mounted")
        guard mounted.contains("mounted") else {
            print("SKIP storage: full disk: no tmpfs could be mounted here (root is needed): \(mounted)")
            return
        }
        defer { _ = Checks.shell("umount \(disk) 2>&1") }
        fullDiskStops(&h, disk: disk)
        WorkDirectory.empty(disk)
        fullDiskContinues(&h, disk: disk)
    }

    static func unwritableOutput(_ h: inout Harness) {
        let file = h.work + "/a-file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let result = h.run(ranks: 2, h.trainArguments(output: file + "/run", steps: 2))
        h.check(
            result.status == 74 && result.output.contains("--output \(file)/run: cannot create the directory")
                && !result.output.contains("step 1 "),
            "storage: an output directory that cannot be created is refused before training (status "
                + "\(result.status))", result.output)
    }

    static func fullDiskStops(_ h: inout Harness, disk: String) {
        let output = disk + "/stop"
        let result = h.run(ranks: 2, h.trainArguments(output: output, steps: 6, extra: ["--save-steps", "2"]))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        h.check(
            result.status == 74 && result.output.contains("cannot write \(output)/checkpoint-4: it needs about")
                && result.output.contains("MB free") && !result.output.contains("step 5 "),
            "storage: a full disk at checkpoint-4 stops both ranks at that step with status \(result.status), "
                + "naming the checkpoint and the space", result.output.suffix(3000).description)
        h.check(
            entries.filter { $0.hasPrefix("checkpoint-") || $0.hasPrefix(".checkpoint-") } == ["checkpoint-2"],
            "storage: only the complete checkpoint-2 is left, nothing half-written (found \(entries.sorted()))")
        // The earlier checkpoint is usable: training resumes from it, elsewhere, and finishes.
        let resumed = h.work + "/resumed-after-full-disk"
        let again = h.run(
            ranks: 2, h.trainArguments(output: resumed, steps: 4, extra: ["--resume", output + "/checkpoint-2"]))
        h.check(
            again.status == 0 && again.output.contains("resumed from \(output)/checkpoint-2"),
            "storage: checkpoint-2 left by the failed run resumes and finishes", again.output.suffix(2000).description)
    }

    static func fullDiskContinues(_ h: inout Harness, disk: String) {
        let output = disk + "/continue"
        let result = h.run(
            ranks: 2,
            h.trainArguments(output: output, steps: 6, extra: ["--save-steps", "2", "--on-save-error", "continue"]))
        h.check(
            result.status == 0 && result.output.contains("step 4: checkpoint not written, training goes on")
                && result.output.contains("step 6 ")
                && FileManager.default.fileExists(atPath: output + "/model.safetensors"),
            "storage: with --on-save-error continue the run goes on past the failed checkpoint-4 and writes its "
                + "final model (status \(result.status))", result.output.suffix(3000).description)
    }
}
