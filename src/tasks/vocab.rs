//! A fixed token vocabulary: id ↔ text.

use std::collections::HashMap;

use super::TaskError;

/// Padding token, id 0 in every vocabulary.
pub const PAD: &str = "<pad>";

/// A task's vocabulary. Token 0 is always [`PAD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    tokens: Vec<String>,
    index: HashMap<String, u32>,
}

impl Vocab {
    /// Build from token texts; `<pad>` is prepended. Texts must be unique.
    pub fn new<I, S>(tokens: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut all = vec![PAD.to_string()];
        all.extend(tokens.into_iter().map(Into::into));
        let index: HashMap<String, u32> = all
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        assert_eq!(index.len(), all.len(), "duplicate token in vocabulary");
        Self { tokens: all, index }
    }

    /// The id of `token`, appended first when it is new (vocabularies built from data).
    pub fn push(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.index.get(token) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.tokens.push(token.to_string());
        self.index.insert(token.to_string(), id);
        id
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Token texts by id (`<pad>` first).
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Id of a token text.
    pub fn id(&self, token: &str) -> Result<u32, TaskError> {
        self.index
            .get(token)
            .copied()
            .ok_or_else(|| TaskError::UnknownToken(token.to_string()))
    }

    /// Text of a token id (`"?"` for an id outside the vocabulary).
    pub fn text(&self, id: u32) -> &str {
        self.tokens.get(id as usize).map_or("?", String::as_str)
    }

    /// Parse space-separated text into ids.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, TaskError> {
        text.split_whitespace().map(|t| self.id(t)).collect()
    }

    /// Render ids as space-separated text.
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter()
            .map(|&i| self.text(i))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
