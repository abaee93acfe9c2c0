//! Predictive scoring learned from closed leads. Two modes:
//! - [`odoo`]: Odoo CRM's predictive lead scoring (a naive Bayes over a per-team frequency
//!   table), reproduced to the second decimal, trainable in one pass, incrementally (both of
//!   Odoo's live semantics) and over columns;
//! - [`logistic`]: a regularised logistic regression (one-hot categoricals with rare-level
//!   pooling, binned or standardised numbers, team → global pooling), calibrated out of fold
//!   (Platt or isotonic), with per-feature log-odds explanations.
//!
//! [`eval`] splits data (seeded stratified, by time or id order, K-fold) and measures
//! probabilities (exact AUC, log-loss, Brier, expected calibration error, calibration table).
//!
//! ```
//! use leadcore::predictive::odoo::{OdooConfig, OdooModel, OdooRecord, OdooStage, OdooStatus};
//! let config = OdooConfig::new(vec![
//!     OdooStage::new("new", 1), OdooStage::new("qualified", 2), OdooStage::won("won", 70),
//! ]).with_fields(["country_id"]);
//! let model = OdooModel::new(config).unwrap();
//! let closed = [
//!     OdooRecord::new("1").team("t1").stage("new").status(OdooStatus::Lost).value("country_id", "be"),
//!     OdooRecord::new("2").team("t1").stage("won").status(OdooStatus::Won).value("country_id", "fr"),
//! ];
//! let table = model.train(&closed).unwrap();
//! let pending = OdooRecord::new("3").team("t1").stage("qualified").value("country_id", "fr");
//! let p = model.predict(&table, &pending).probability;
//! assert_eq!(p, Some(99.18));
//! ```

pub mod eval;
pub mod logistic;
pub mod odoo;
