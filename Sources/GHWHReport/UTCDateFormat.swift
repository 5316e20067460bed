import Foundation
import GHWHCalendar

/// `2025-11-25 09:30 UTC`, computed from the epoch so it never depends on locale or time zone settings.
enum UTCDateFormat {
    static func minutes(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = CivilCalendar.split(secondsSinceEpoch: total)
        let hours = DecimalDigits.padded(secondOfDay / 3_600, width: 2)
        let minutes = DecimalDigits.padded(secondOfDay % 3_600 / 60, width: 2)
        return "\(CivilDate(daysSinceEpoch: days)) \(hours):\(minutes) UTC"
    }
}
