//! Hotness and zombie detection over activity times.

use super::explain::ZombieFlag;
use super::spec::{HotnessSpec, ZombieSpec};
use chrono::{DateTime, Utc};

fn instant(t: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default()
}

/// Hot at `now`: at least `events` engagement times in `(now - within, now]`.
/// `times` is sorted ascending.
pub(crate) fn is_hot(spec: &HotnessSpec, times: &[i64], now: i64) -> bool {
    let from = now.saturating_sub(i64::from(spec.within_minutes) * 60);
    let end = times.partition_point(|&t| t <= now);
    let start = times.partition_point(|&t| t <= from);
    end.saturating_sub(start) >= spec.events as usize
}

/// Zombie at `now`: at least `follow_ups` follow-ups since the last engagement, and `days`
/// have passed since the one that completed the count. Both slices sorted ascending.
pub(crate) fn zombie(
    spec: &ZombieSpec,
    engagement: &[i64],
    follow_ups: &[i64],
    now: i64,
) -> Option<ZombieFlag> {
    let last_engagement = engagement[..engagement.partition_point(|&t| t <= now)]
        .last()
        .copied();
    let first = last_engagement.map_or(0, |e| follow_ups.partition_point(|&t| t <= e));
    let end = follow_ups.partition_point(|&t| t <= now);
    let since_engagement = follow_ups.get(first..end)?;
    let needed = spec.follow_ups.max(1) as usize;
    let completing = *since_engagement.get(needed - 1)?;
    (now.saturating_sub(completing) >= i64::from(spec.days) * 86_400).then(|| ZombieFlag {
        follow_ups: since_engagement.len() as u32,
        since: instant(completing),
        last_engagement: last_engagement.map(instant),
        action: spec.action.clone(),
    })
}

/// Inserts `t` keeping `times` sorted; O(1) when times arrive in order.
pub(crate) fn insert_sorted(times: &mut Vec<i64>, t: i64) {
    let at = times.len() - times.iter().rev().take_while(|&&x| x > t).count();
    times.insert(at, t);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ActivityKind;

    #[test]
    fn hot_needs_enough_events_in_the_window() {
        let spec = HotnessSpec {
            events: 3,
            within_minutes: 10,
            kinds: vec![ActivityKind::EmailClicked],
        };
        let times = [0, 300, 500, 2_000];
        assert!(is_hot(&spec, &times, 500));
        assert!(!is_hot(&spec, &times, 499));
        assert!(!is_hot(&spec, &times, 2_000));
    }

    #[test]
    fn zombie_after_silence_following_follow_ups() {
        let spec = ZombieSpec {
            days: 14,
            follow_ups: 3,
            follow_up_kinds: vec![],
            engagement_kinds: vec![],
            action: "unsubscribe".into(),
        };
        let day = 86_400;
        let follow = [day, 3 * day, 5 * day, 7 * day];
        assert!(zombie(&spec, &[0], &follow, 18 * day).is_none());
        let z = zombie(&spec, &[0], &follow, 19 * day).unwrap();
        assert_eq!(z.follow_ups, 4);
        // An engagement after the follow-ups resets the count.
        assert!(zombie(&spec, &[0, 6 * day], &follow, 40 * day).is_none());
    }

    #[test]
    fn insert_keeps_order() {
        let mut v = vec![1, 5, 9];
        insert_sorted(&mut v, 6);
        insert_sorted(&mut v, 10);
        insert_sorted(&mut v, 0);
        assert_eq!(v, [0, 1, 5, 6, 9, 10]);
    }
}
