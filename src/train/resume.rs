//! What a run needs besides its weights, step and history to continue exactly where it
//! stopped: the position of its training stream and the identity of its parameters, which the
//! optimizer's state is keyed by. Stored in resumable checkpoints (format v3, see
//! [`super::checkpoint`]); the optimizer's state itself is a tensor of the same file.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::TrainError;
use super::held_out::StreamPosition;
use crate::models::Model;

/// The resume part of a checkpoint's metadata (taken at an evaluation point, where no loss is
/// pending and the last good weights are the current ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeState {
    /// Where the training stream stands.
    pub stream: StreamPosition,
    /// burn's id of every float parameter, by module path (`layers.0.mixer.query.weight`).
    /// burn keys the optimizer's state by these ids and a model built anew draws fresh ones,
    /// so a resumed model takes its ids back from here.
    pub param_ids: BTreeMap<String, u64>,
}

/// The id of every float parameter of `model`, by module path.
pub(crate) fn param_ids(model: &Model) -> BTreeMap<String, u64> {
    #[derive(Default)]
    struct Ids {
        path: Vec<String>,
        found: BTreeMap<String, u64>,
    }
    impl ModuleVisitor for Ids {
        fn enter_module(&mut self, name: &str, _container_type: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _name: &str, _container_type: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.found.insert(self.path.join("."), param.id.val());
        }
    }
    let mut ids = Ids::default();
    model.visit(&mut ids);
    ids.found
}

/// `model` (on an autodiff device) with the parameter ids of `ids` (by module path), every
/// parameter a trainable leaf; every parameter must be named.
pub(crate) fn with_param_ids(
    model: Model,
    ids: &BTreeMap<String, u64>,
) -> Result<Model, TrainError> {
    struct SetIds<'a> {
        path: Vec<String>,
        ids: &'a BTreeMap<String, u64>,
        missing: Option<String>,
    }
    impl ModuleMapper for SetIds<'_> {
        fn enter_module(&mut self, name: &str, _container_type: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _name: &str, _container_type: &str) {
            self.path.pop();
        }
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let path = self.path.join(".");
            let (id, tensor, mapper) = param.consume();
            let id = match self.ids.get(&path) {
                Some(&saved) => ParamId::from(saved),
                None => {
                    self.missing.get_or_insert(path);
                    id
                }
            };
            // A fresh leaf that requires gradients: a loaded tensor may carry the graph of the
            // ops that loaded it, which the first backward pass would consume.
            Param::from_mapped_value(id, tensor.detach().require_grad(), mapper)
        }
    }
    let mut mapper = SetIds {
        path: Vec::new(),
        ids,
        missing: None,
    };
    let model = model.map(&mut mapper);
    match mapper.missing {
        Some(path) => Err(TrainError::Resume(format!(
            "the resume state names no parameter `{path}`"
        ))),
        None if ids.len() != param_ids(&model).len() => Err(TrainError::Resume(format!(
            "the resume state names {} parameters, the model has {}",
            ids.len(),
            param_ids(&model).len()
        ))),
        None => Ok(model),
    }
}
