//! Host-side weights of a model, set entry by entry, named as in the checkpoint.

use std::collections::BTreeMap;

use super::ConstructError;

/// Every parameter of one model as `name → (shape, row-major values)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
}

impl Weights {
    /// Zeros everywhere except the LayerNorm gains (`….gamma`), which are one: every norm
    /// then only centres and rescales.
    pub fn zeros(shapes: &BTreeMap<String, Vec<usize>>) -> Self {
        let tensors = shapes
            .iter()
            .map(|(name, shape)| {
                let fill = if name.ends_with(".gamma") { 1.0 } else { 0.0 };
                let values = vec![fill; shape.iter().product()];
                (name.clone(), (shape.clone(), values))
            })
            .collect();
        Self { tensors }
    }

    pub fn tensors(&self) -> &BTreeMap<String, (Vec<usize>, Vec<f32>)> {
        &self.tensors
    }

    /// Set one entry of tensor `name` (`index` has one coordinate per dimension). For a
    /// `Linear` weight, `[input, output]`: burn computes `y = x W + b`.
    pub fn set(&mut self, name: &str, index: &[usize], value: f32) -> Result<(), ConstructError> {
        let (shape, values) = self
            .tensors
            .get_mut(name)
            .ok_or_else(|| ConstructError::Bug(format!("the model has no tensor `{name}`")))?;
        if index.len() != shape.len() || index.iter().zip(shape.iter()).any(|(i, n)| i >= n) {
            return Err(ConstructError::Bug(format!(
                "index {index:?} is outside `{name}` of shape {shape:?}"
            )));
        }
        let flat = index
            .iter()
            .zip(shape.iter())
            .fold(0, |acc, (i, n)| acc * n + i);
        values[flat] = value;
        Ok(())
    }

    /// Set a row of a 2-D tensor (an embedding's vector of one token) from `start` on.
    pub fn set_row(
        &mut self,
        name: &str,
        row: usize,
        start: usize,
        values: &[f32],
    ) -> Result<(), ConstructError> {
        for (k, &v) in values.iter().enumerate() {
            self.set(name, &[row, start + k], v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_row_major_and_gains_start_at_one() {
        let shapes = BTreeMap::from([
            ("a.weight".to_string(), vec![2, 3]),
            ("n.gamma".to_string(), vec![2]),
        ]);
        let mut w = Weights::zeros(&shapes);
        w.set("a.weight", &[1, 2], 5.0).unwrap();
        assert_eq!(
            w.tensors()["a.weight"].1,
            vec![0.0, 0.0, 0.0, 0.0, 0.0, 5.0]
        );
        assert_eq!(w.tensors()["n.gamma"].1, vec![1.0, 1.0]);
        assert!(w.set("a.weight", &[2, 0], 1.0).is_err());
        assert!(w.set("b.weight", &[0, 0], 1.0).is_err());
    }
}
