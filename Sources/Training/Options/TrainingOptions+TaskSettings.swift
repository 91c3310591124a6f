extension TrainingOptions {
    /// Throws when an option of the embedding and SetFit tasks is given to task `task`,
    /// which would silently ignore it.
    func refuseEmbeddingSettings(for task: String) throws {
        try refuse(embeddingSettings + setFitSettings, for: task)
    }

    /// Throws when an embedding-loss option is given to task `task` (SetFit's loss is fixed).
    func refuseLossSettings(for task: String) throws { try refuse(embeddingSettings, for: task) }

    /// Throws when an option of the SetFit task alone is given to task `task`.
    func refuseSetFitSettings(for task: String) throws { try refuse(setFitSettings, for: task) }

    private var embeddingSettings: [(String, Bool)] {
        [
            ("--loss", loss != nil), ("--loss-scale", lossScale != nil), ("--loss-margin", lossMargin != nil),
            ("--cross-rank-negatives", !crossRankNegatives),
        ]
    }

    private var setFitSettings: [(String, Bool)] { [("--num-iterations", numIterations != nil)] }

    private func refuse(_ settings: [(String, Bool)], for task: String) throws {
        if let (name, _) = settings.first(where: \.1) {
            throw OptionError("\(name) does not apply to --task \(task)")
        }
    }
}
