//! Small-cell suppression with complementary suppression.
//!
//! Primary: every cell (and the total) of 1–4 people is hidden. Complementary: along every
//! dimension, each line of cells (the cells sharing all their other keys — a row, a column) whose
//! sum is known or could be asked for (the total; a one-dimension analysis of the same data) must
//! not have exactly one hidden cell, or subtraction would reveal it: the smallest visible
//! non-empty cell of such a line is hidden too, repeated until no line has exactly one.

use std::collections::HashMap;

use super::AnalysisCell;

fn small(c: &AnalysisCell) -> bool {
    (1..=4).contains(&c.people)
}

/// Hide small cells in `cells` (keyed on `dims` dimensions) and `total`, then their complements.
///
/// A group of cells whose sum can be known must not hide exactly one: every row, column and line
/// (the cells sharing all keys but one — their sum is a one-dimension analysis), every plane of a
/// three-dimension table (all keys but two) and the whole table (its sum is the total). For each
/// non-empty set of summed-over dimensions, the cells are grouped by their other keys.
pub(super) fn apply(cells: &mut [AnalysisCell], total: &mut AnalysisCell, dims: usize) {
    for c in cells.iter_mut() {
        c.suppressed = small(c);
    }
    total.suppressed = small(total);
    if dims == 0 {
        return;
    }
    let all = (1u32 << dims) - 1;
    loop {
        let mut changed = false;
        for summed in 1..=all {
            let mut groups: HashMap<Vec<&str>, Vec<usize>> = HashMap::new();
            for (i, c) in cells.iter().enumerate() {
                let key: Vec<&str> = c
                    .keys
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| summed & (1 << k) == 0)
                    .map(|(_, (code, _))| code.as_str())
                    .collect();
                groups.entry(key).or_default().push(i);
            }
            let mut hide = Vec::new();
            for members in groups.values() {
                let hidden = members.iter().filter(|&&i| cells[i].suppressed).count();
                if hidden != 1 {
                    continue;
                }
                let complement = members
                    .iter()
                    .copied()
                    .filter(|&i| !cells[i].suppressed && cells[i].people > 0)
                    .min_by_key(|&i| (cells[i].people, cells[i].count, i));
                match complement {
                    Some(i) => hide.push(i),
                    // The group holds one non-empty cell, so its sum is that cell. For the whole
                    // table that sum is the total, which must then be hidden too; a smaller
                    // group's sum is a cell of a coarser analysis, where the same rule hides it.
                    None if summed == all && !total.suppressed => {
                        total.suppressed = true;
                        changed = true;
                    }
                    None => {}
                }
            }
            for i in hide {
                if !cells[i].suppressed {
                    cells[i].suppressed = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(keys: &[&str], people: i64) -> AnalysisCell {
        AnalysisCell {
            keys: keys
                .iter()
                .map(|k| ((*k).to_owned(), (*k).to_owned()))
                .collect(),
            count: people,
            people,
            sum_fen: 0,
            suppressed: false,
        }
    }

    fn total_of(cells: &[AnalysisCell]) -> AnalysisCell {
        let n = cells.iter().map(|c| c.people).sum();
        AnalysisCell {
            count: n,
            people: n,
            ..AnalysisCell::default()
        }
    }

    /// Hidden cells in every group whose sum can be known (rows, columns, lines, planes, the
    /// whole table) that holds more than one cell: none may be exactly 1.
    fn hidden_cells_each_line(cells: &[AnalysisCell], dims: usize) -> Vec<usize> {
        let mut counts = Vec::new();
        for summed in 1..(1u32 << dims) {
            let mut lines: HashMap<Vec<String>, (usize, usize)> = HashMap::new();
            for c in cells {
                let key: Vec<String> = c
                    .keys
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| summed & (1 << k) == 0)
                    .map(|(_, (code, _))| code.clone())
                    .collect();
                let e = lines.entry(key).or_default();
                e.0 += usize::from(c.suppressed);
                e.1 += 1;
            }
            // A group of one cell sums to that cell: hidden in the coarser analysis as well.
            counts.extend(lines.into_values().filter(|(_, n)| *n > 1).map(|(h, _)| h));
        }
        counts
    }

    #[test]
    fn a_hidden_cell_alone_in_its_row_and_column_takes_another_with_it() {
        // Only r2c2 is small and nothing shares its row or column: without a second hidden cell
        // the total (143) minus the visible cells (140) would give it away.
        let mut cells = vec![
            cell(&["r0", "c0"], 50),
            cell(&["r0", "c1"], 40),
            cell(&["r1", "c0"], 30),
            cell(&["r1", "c1"], 20),
            cell(&["r2", "c2"], 3),
        ];
        let mut total = total_of(&cells);
        apply(&mut cells, &mut total, 2);
        let lines = hidden_cells_each_line(&cells, 2);
        assert!(lines.iter().all(|&n| n != 1), "{lines:?}");
        assert!(cells.iter().filter(|c| c.suppressed).count() >= 2);
    }

    #[test]
    fn random_sparse_tables_never_leave_a_group_with_exactly_one_hidden_cell() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 33
        };
        for _ in 0..500 {
            let dims = 2 + usize::try_from(next() % 2).unwrap();
            let mut cells = Vec::new();
            for a in 0..4 {
                for b in 0..4 {
                    for c in 0..(if dims == 3 { 3 } else { 1 }) {
                        let v = match next() % 4 {
                            0 => continue,
                            1 => i64::try_from(next() % 4 + 1).unwrap(),
                            _ => i64::try_from(next() % 60 + 5).unwrap(),
                        };
                        let mut keys = vec![format!("a{a}"), format!("b{b}")];
                        if dims == 3 {
                            keys.push(format!("c{c}"));
                        }
                        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                        cells.push(cell(&keys, v));
                    }
                }
            }
            let mut total = total_of(&cells);
            apply(&mut cells, &mut total, dims);
            let groups = hidden_cells_each_line(&cells, dims);
            assert!(groups.iter().all(|&n| n != 1), "{dims}: {groups:?}");
        }
    }

    #[test]
    fn one_small_cell_takes_the_smallest_other_with_it() {
        let mut cells = vec![
            cell(&["a"], 3),
            cell(&["b"], 40),
            cell(&["c"], 12),
            cell(&["d"], 0),
        ];
        let mut total = total_of(&cells);
        apply(&mut cells, &mut total, 1);
        let hidden: Vec<bool> = cells.iter().map(|c| c.suppressed).collect();
        assert_eq!(
            hidden,
            [true, false, true, false],
            "3 is small, 12 its complement"
        );
        assert!(!total.suppressed);
    }

    #[test]
    fn two_small_cells_need_no_complement_and_a_small_total_is_hidden() {
        let mut cells = vec![cell(&["a"], 3), cell(&["b"], 1), cell(&["c"], 9)];
        let mut total = total_of(&cells);
        apply(&mut cells, &mut total, 1);
        assert_eq!(
            cells.iter().map(|c| c.suppressed).collect::<Vec<_>>(),
            [true, true, false]
        );
        let mut tiny = vec![cell(&["a"], 2)];
        let mut total = total_of(&tiny);
        apply(&mut tiny, &mut total, 1);
        assert!(tiny[0].suppressed && total.suppressed);
    }

    #[test]
    fn in_two_dimensions_no_row_or_column_has_exactly_one_hidden_cell() {
        // districts × categories; one small cell in the middle of a full table.
        let mut cells = Vec::new();
        let values = [[50, 20, 30], [40, 2, 60], [25, 35, 45]];
        for (r, row) in values.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                cells.push(cell(&[&format!("r{r}"), &format!("c{c}")], *v));
            }
        }
        let mut total = total_of(&cells);
        apply(&mut cells, &mut total, 2);
        let lines = hidden_cells_each_line(&cells, 2);
        assert!(lines.iter().all(|&n| n != 1), "{lines:?}");
        assert!(
            cells.iter().filter(|c| c.suppressed).count() >= 4,
            "a rectangle at least"
        );
        assert!(
            cells
                .iter()
                .find(|c| c.people == 2)
                .is_some_and(|c| c.suppressed),
            "the small cell itself"
        );
    }

    #[test]
    fn complements_cascade_until_every_line_is_safe_in_three_dimensions() {
        let mut cells = Vec::new();
        let mut n = 5;
        for a in 0..3 {
            for b in 0..3 {
                for c in 0..2 {
                    n = (n * 7 + 3) % 50 + 5;
                    let v = if (a, b, c) == (1, 1, 0) { 1 } else { n };
                    cells.push(cell(
                        &[&format!("a{a}"), &format!("b{b}"), &format!("c{c}")],
                        v,
                    ));
                }
            }
        }
        let mut total = total_of(&cells);
        apply(&mut cells, &mut total, 3);
        let lines = hidden_cells_each_line(&cells, 3);
        assert!(lines.iter().all(|&n| n != 1), "{lines:?}");
    }
}
