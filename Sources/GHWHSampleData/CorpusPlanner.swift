/// Decides how many repos to generate and how each day is cut into files, from the
/// measured size of a few sample repos (rendered once, not written).
struct CorpusPlanner {
    let options: SampleDataOptions
    let firstDay: Int

    /// Bytes one repo contributes to one (day, dataset), pretty-printed and compact.
    struct RepoSize {
        var pretty: [[Double]]  // [day][dataset]
        var compact: [[Double]]
    }

    struct Plan {
        let world: SampleWorld
        /// `layouts[day][dataset]`.
        let layouts: [[DayLayout]]
    }

    func plan() -> Plan {
        let sampleCount = options.targetBytes == nil ? min(options.repos, 4) : 16
        let sampleWorld = makeWorld(repos: options.targetBytes == nil ? options.repos : sampleCount)
        let samples = (0..<sampleCount).map { measure(repo: $0, world: sampleWorld) }
        let average = averageSize(samples)

        var repos = options.repos
        if let target = options.targetBytes {
            // Two rounds: the pretty/compact mix depends on the layout, which depends on size.
            var shares = uniformShares(0.6)
            for _ in 0..<2 {
                repos = repoCount(for: Double(target), samples: samples, average: average, shares: shares)
                shares = layouts(world: makeWorld(repos: repos), average: average, countRecords: false).map {
                    $0.map(\.prettyShare)
                }
            }
            repos = repoCount(for: Double(target), samples: samples, average: average, shares: shares)
        }
        let world = makeWorld(repos: repos)
        return Plan(world: world, layouts: layouts(world: world, average: average, countRecords: true))
    }

    private func makeWorld(repos: Int) -> SampleWorld {
        var world = SampleWorld(
            seed: options.seed, repoCount: repos, issuesPerRepo: options.issuesPerRepo,
            prsPerRepo: options.prsPerRepo, days: options.days, firstDay: firstDay)
        world.snapshots = options.snapshots
        return world
    }

    private func uniformShares(_ share: Double) -> [[Double]] {
        Array(repeating: Array(repeating: share, count: RecordDataset.allCases.count), count: options.days)
    }

    /// Renders every version of one repo's records and adds up the bytes per day and dataset.
    private func measure(repo index: Int, world: SampleWorld) -> RepoSize {
        var size = RepoSize(pretty: uniformShares(0), compact: uniformShares(0))
        let repo = RepoModel(world: world, index: index)
        var pretty = JSONByteWriter(pretty: true, capacity: 64 << 10)
        var compact = JSONByteWriter(pretty: false, capacity: 64 << 10)
        pretty.beginArray()
        compact.beginArray()
        for number in stride(from: 1, through: world.recordsPerRepo, by: 1) {
            let plan = RecordPlan(world: world, repo: repo, number: number)
            for (i, version) in plan.versions.enumerated() {
                let content = RecordContent(world: world, repo: repo, plan: plan, version: version)
                // With snapshots a version is delivered again on every day until the next one.
                let lastDay =
                    world.snapshots
                    ? (i + 1 < plan.versions.count ? plan.versions[i + 1].day : world.days) - 1 : version.day
                for dataset in RecordDataset.allCases where dataset == .issues || plan.isPullRequest {
                    let p = render(&pretty, content, dataset)
                    let c = render(&compact, content, dataset)
                    for day in version.day...lastDay {
                        size.pretty[day][dataset.rawValue] += p
                        size.compact[day][dataset.rawValue] += c
                    }
                }
            }
        }
        return size
    }

    /// Bytes of one record in that writer's style.
    private func render(_ writer: inout JSONByteWriter, _ content: RecordContent, _ dataset: RecordDataset) -> Double {
        if dataset == .issues { writer.issueObject(content) } else { writer.pullRequestObject(content) }
        let bytes = Double(writer.bytes.count)
        writer.drain { _ in }
        return bytes
    }

    private func averageSize(_ samples: [RepoSize]) -> RepoSize {
        var avg = RepoSize(pretty: uniformShares(0), compact: uniformShares(0))
        let n = Double(max(1, samples.count))
        for s in samples {
            for d in 0..<options.days {
                for k in 0..<RecordDataset.allCases.count {
                    avg.pretty[d][k] += s.pretty[d][k] / n
                    avg.compact[d][k] += s.compact[d][k] / n
                }
            }
        }
        return avg
    }

    private func bytes(of size: RepoSize, shares: [[Double]]) -> Double {
        var total = 0.0
        for d in 0..<options.days {
            for k in 0..<RecordDataset.allCases.count {
                total += shares[d][k] * size.pretty[d][k] + (1 - shares[d][k]) * size.compact[d][k]
            }
        }
        return total
    }

    /// Fewest repos whose bytes come closest to `target`: exact over the sampled repos, extrapolated beyond.
    private func repoCount(for target: Double, samples: [RepoSize], average: RepoSize, shares: [[Double]]) -> Int {
        var cumulative = 0.0
        var best = 1
        var bestError = Double.infinity
        for (i, s) in samples.enumerated() {
            cumulative += bytes(of: s, shares: shares)
            let error = abs(cumulative - target)
            if error < bestError {
                bestError = error
                best = i + 1
            }
            if cumulative >= target { return best }
        }
        let perRepo = max(1, bytes(of: average, shares: shares))
        return max(1, samples.count + Int(((target - cumulative) / perRepo).rounded()))
    }

    /// Cuts every day of every dataset into documents of about `maxEntryBytes`.
    private func layouts(world: SampleWorld, average: RepoSize, countRecords: Bool) -> [[DayLayout]] {
        (0..<options.days).map { day in
            RecordDataset.allCases.map { dataset in
                var records = 0
                if countRecords {
                    var cursor = RecordCursor(world: world, dataset: dataset, day: day)
                    while cursor.nextPlan() != nil { records += 1 }
                }
                // Sized as pretty-printed, the larger form, so no document grows past the limit by much.
                let estimated = average.pretty[day][dataset.rawValue] * Double(world.repoCount)
                return DayLayout(
                    records: records, estimatedBytes: estimated, maxEntryBytes: options.maxEntryBytes,
                    day: day, dataset: dataset, seed: options.seed, oneRecordPerFile: options.oneRecordPerFile,
                    zipOnly: options.zipOnly)
            }
        }
    }
}
