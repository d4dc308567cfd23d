//! Explicit decoding caches: what a model keeps between generated tokens. Each layer owns one
//! entry; its size is what the cost meter calls "state bytes".

use burn::prelude::*;

/// Keys and values of the positions a layer can still read, `[B, H, n, d_h]` each.
///
/// Written in place into buffers with room to spare (`[B, H, capacity, d_h]`, doubled when
/// full), so a decoding step copies one position, not the whole history: the per-token time of
/// the standard decoder then grows only with the attention itself. Reads are views of the
/// held positions (no copy on the CPU backend). A sliding window drops its oldest position
/// with [`KvCache::drop_first`]: the held range then starts later in the buffers, and the next
/// time they are full it moves back to the front (amortised O(1) per position).
#[derive(Debug, Clone, Default)]
pub struct KvCache {
    keys: Option<Tensor<4>>,
    values: Option<Tensor<4>>,
    /// The held positions are `start..end` of the buffers.
    start: usize,
    end: usize,
}

/// Positions a cache makes room for at its first write.
const FIRST_CAPACITY: usize = 64;

impl KvCache {
    /// Append positions (`[B, H, n, d_h]` each, usually `n = 1`).
    pub fn push(&mut self, key: Tensor<4>, value: Tensor<4>) {
        let n = key.dims()[2];
        let (keys, start) = write(self.keys.take(), self.start, self.end, key);
        let (values, _) = write(self.values.take(), self.start, self.end, value);
        self.end = start + self.len() + n;
        self.start = start;
        self.keys = Some(keys);
        self.values = Some(values);
    }

    /// The keys held, `[B, H, n, d_h]`; `None` while empty.
    pub fn keys(&self) -> Option<Tensor<4>> {
        self.held(&self.keys, self.start..self.end)
    }

    /// The values held, `[B, H, n, d_h]`; `None` while empty.
    pub fn values(&self) -> Option<Tensor<4>> {
        self.held(&self.values, self.start..self.end)
    }

    /// The oldest key held, `[B, H, 1, d_h]`.
    pub fn first_key(&self) -> Option<Tensor<4>> {
        self.held(&self.keys, self.start..self.start + 1)
    }

    /// The oldest value held, `[B, H, 1, d_h]`.
    pub fn first_value(&self) -> Option<Tensor<4>> {
        self.held(&self.values, self.start..self.start + 1)
    }

    /// Forget the oldest position (a sliding window moving on).
    pub fn drop_first(&mut self) {
        if !self.is_empty() {
            self.start += 1;
        }
    }

    fn held(&self, buffer: &Option<Tensor<4>>, range: std::ops::Range<usize>) -> Option<Tensor<4>> {
        let buffer = buffer.as_ref().filter(|_| !self.is_empty())?;
        let [b, h, _, dh] = buffer.dims();
        Some(buffer.clone().slice([0..b, 0..h, range, 0..dh]))
    }

    /// Number of positions held.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Forget every position; the buffers stay for the next writes.
    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Floats held (the positions' keys and values, not the spare room).
    fn floats(&self) -> usize {
        self.keys.as_ref().map_or(0, |k| {
            2 * self.len() * k.dims()[0] * k.dims()[1] * k.dims()[3]
        })
    }
}

/// `rows` (`[B, H, n, d_h]`) written after the held positions `start..end` of `buffer`, and
/// where the held positions now start. In place when the buffer has room after `end` (and is
/// not shared, which the views handed out by `keys`/`values` are not by then); otherwise a new
/// buffer (capacity doubled until everything fits) takes the held positions at its front.
fn write(
    buffer: Option<Tensor<4>>,
    start: usize,
    end: usize,
    rows: Tensor<4>,
) -> (Tensor<4>, usize) {
    let [b, h, n, dh] = rows.dims();
    let (buffer, start, end) = match buffer {
        Some(buffer) if buffer.dims()[2] >= end + n => (buffer, start, end),
        old => {
            let held = end - start;
            let mut capacity = old.as_ref().map_or(FIRST_CAPACITY, |t| t.dims()[2].max(1));
            // A window that moved on (start > 0) gets as much room again as it holds, so
            // that it moves back to the front at most once per `held` positions.
            while capacity < held + n || (start > 0 && capacity < 2 * (held + n)) {
                capacity *= 2;
            }
            let grown = Tensor::zeros([b, h, capacity, dh], &rows.device());
            let grown = match old {
                Some(old) if held > 0 => grown.slice_assign(
                    [0..b, 0..h, 0..held, 0..dh],
                    old.slice([0..b, 0..h, start..end, 0..dh]),
                ),
                _ => grown,
            };
            (grown, 0, held)
        }
    };
    (
        buffer.slice_assign([0..b, 0..h, end..end + n, 0..dh], rows),
        start,
    )
}

/// What one layer keeps between tokens.
// One per layer, a handful per model: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum LayerCache {
    /// Standard attention: every earlier key and value.
    Dense(KvCache),
    /// Sparse attention: the current block, and the last position of each earlier block.
    Sparse { block: KvCache, ends: KvCache },
    /// Linear attention: `S = Σ φ(k) vᵀ` (`[B, H, d_h, d_h]`) and `z = Σ φ(k)` (`[B, H, 1, d_h]`).
    Linear {
        state: Tensor<4>,
        normaliser: Tensor<4>,
    },
    /// LSTM hidden and cell state, `[B, d]` each.
    Lstm { hidden: Tensor<2>, cell: Tensor<2> },
    /// GRU hidden state `[B, d]`.
    Gru { hidden: Tensor<2> },
    /// Selective SSM state `[B, d_inner, N]`.
    Ssm { state: Tensor<3> },
}

impl LayerCache {
    /// Number of f32 values held.
    pub fn floats(&self) -> usize {
        let size = |t: &Tensor<2>| t.dims().iter().product::<usize>();
        match self {
            Self::Dense(kv) => kv.floats(),
            Self::Sparse { block, ends } => block.floats() + ends.floats(),
            Self::Linear { state, normaliser } => {
                state.dims().iter().product::<usize>() + normaliser.dims().iter().product::<usize>()
            }
            Self::Lstm { hidden, cell } => size(hidden) + size(cell),
            Self::Gru { hidden } => size(hidden),
            Self::Ssm { state } => state.dims().iter().product(),
        }
    }

    /// Positions of keys held (attention caches); 0 for fixed-size states.
    pub fn positions_held(&self) -> usize {
        match self {
            Self::Dense(kv) => kv.len(),
            Self::Sparse { block, ends } => block.len() + ends.len(),
            _ => 0,
        }
    }
}

/// Everything a model keeps between generated tokens.
#[derive(Debug, Clone)]
pub struct DecodeCache {
    /// Position of the next token to be fed.
    pub position: usize,
    pub layers: Vec<LayerCache>,
}

impl DecodeCache {
    /// Bytes of the state a model keeps (f32): for attention, the positions held. The KV
    /// buffers allocate more as room to grow (see [`KvCache`]): up to twice that for a growing
    /// cache; for a sliding window at least 64 positions and at least twice its size.
    pub fn bytes(&self) -> usize {
        4 * self.layers.iter().map(LayerCache::floats).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: Tensor<4>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    /// Position `p` of a `[2, 3, 1, 4]` key: distinct values everywhere.
    fn row(p: usize, sign: f32, device: &Device) -> Tensor<4> {
        let data: Vec<f32> = (0..24).map(|i| sign * (p * 100 + i) as f32).collect();
        Tensor::<1>::from_floats(data.as_slice(), device).reshape([2, 3, 1, 4])
    }

    #[test]
    fn pushed_positions_read_back_in_order_across_growth_and_clear() {
        let device = Device::flex();
        let mut cache = KvCache::default();
        assert!(cache.keys().is_none());
        // Past two doublings of the first capacity, one position at a time and then three.
        let mut keys = Vec::new();
        let mut values = Vec::new();
        for p in 0..3 * FIRST_CAPACITY {
            cache.push(row(p, 1.0, &device), row(p, -1.0, &device));
            keys.push(row(p, 1.0, &device));
            values.push(row(p, -1.0, &device));
        }
        let three = |sign| Tensor::cat((0..3).map(|p| row(1000 + p, sign, &device)).collect(), 2);
        cache.push(three(1.0), three(-1.0));
        keys.push(three(1.0));
        values.push(three(-1.0));
        let n = 3 * FIRST_CAPACITY + 3;
        assert_eq!(cache.len(), n);
        assert_eq!(cache.keys().unwrap().dims(), [2, 3, n, 4]);
        assert_eq!(read(cache.keys().unwrap()), read(Tensor::cat(keys, 2)));
        assert_eq!(read(cache.values().unwrap()), read(Tensor::cat(values, 2)));
        assert_eq!(cache.floats(), 2 * 2 * 3 * n * 4);

        cache.clear();
        assert!(cache.is_empty() && cache.keys().is_none());
        cache.push(row(7, 1.0, &device), row(7, -1.0, &device));
        assert_eq!(read(cache.keys().unwrap()), read(row(7, 1.0, &device)));
        assert_eq!(read(cache.values().unwrap()), read(row(7, -1.0, &device)));
    }

    #[test]
    fn a_sliding_window_keeps_its_last_positions_across_moves_to_the_front() {
        // Small windows move back to the front at the same capacity; windows over half the
        // first capacity also grow the buffer while the held range starts late.
        for window in [1, 5, 33, 40, 64, 100] {
            slide(window);
        }
    }

    fn slide(window: usize) {
        let device = Device::flex();
        let mut cache = KvCache::default();
        // Far past the first capacity: the held range moves back to the front many times.
        for p in 0..4 * FIRST_CAPACITY + 3 * window {
            cache.push(row(p, 1.0, &device), row(p, -1.0, &device));
            if cache.len() > window {
                let oldest = p - window;
                assert_eq!(
                    read(cache.first_key().unwrap()),
                    read(row(oldest, 1.0, &device))
                );
                assert_eq!(
                    read(cache.first_value().unwrap()),
                    read(row(oldest, -1.0, &device))
                );
                cache.drop_first();
            }
            let first = (p + 1).saturating_sub(window);
            let expect =
                |sign| Tensor::cat((first..=p).map(|q| row(q, sign, &device)).collect(), 2);
            assert_eq!(
                read(cache.keys().unwrap()),
                read(expect(1.0)),
                "position {p}"
            );
            assert_eq!(
                read(cache.values().unwrap()),
                read(expect(-1.0)),
                "position {p}"
            );
        }
        // The buffers stay small: a window never needs more than a few times its size.
        assert!(cache.keys.as_ref().unwrap().dims()[2] <= FIRST_CAPACITY.max(4 * (window + 1)));
        assert_eq!(cache.floats(), 2 * 2 * 3 * window * 4);
        cache.clear();
        assert!(cache.is_empty() && cache.keys().is_none());
        cache.push(row(7, 1.0, &device), row(7, -1.0, &device));
        assert_eq!(read(cache.keys().unwrap()), read(row(7, 1.0, &device)));
        assert_eq!(read(cache.values().unwrap()), read(row(7, -1.0, &device)));
    }
}
