//! The one list of problem kinds. A kind is registered by one line of [`registry!`]:
//! `Variant(module::Marker)`, where `module` is the kind's module, named as the kind is
//! spelled in specs, and `Marker` implements [`Kind`]. Everything that dispatches on the
//! kind — the spec's problem entry, the [`Problem`] and [`Solved`] enums, the kind table —
//! is generated from that line, so a kind cannot be half registered.

use crate::draw::{DrawError, VariantRng};
use crate::spec::FieldError;

use super::{Problem, KINDS};

macro_rules! registry {
    ($($variant:ident($module:ident :: $marker:ident)),+ $(,)?) => {
        $(pub mod $module;)+

        /// One problem of an exam: its checked plan, which yields its variants (a fixed
        /// problem yields the same parameters every time).
        #[derive(Clone, Debug, PartialEq)]
        pub enum Problem {
            $($variant(<$module::$marker as $crate::problems::kind::Kind>::Plan),)+
        }

        /// A problem's parameters together with its solution record.
        #[derive(Clone, Debug)]
        #[expect(
            clippy::large_enum_variant,
            reason = "a handful per exam, built once and read in place"
        )]
        pub enum Solved {
            $($variant(<$module::$marker as $crate::problems::kind::Kind>::Params, <$module::$marker as $crate::problems::kind::Kind>::Solution),)+
        }

        /// One problem entry of a spec: a map with one key, the kind. An unknown key is
        /// serde's "unknown field" error, which lists the kinds and has the line.
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawProblem {
            $(
                #[serde(default)]
                $module: Option<<$module::$marker as $crate::problems::kind::Kind>::Spec>,
            )+
            /// A pool of problem entries, of which each student gets one
            /// ([`crate::slot`]).
            #[serde(default, deserialize_with = "crate::problems::registry::bounded_pool")]
            pool: Option<Vec<RawProblem>>,
            /// The problem's own `moodle.xml` settings ([`crate::spec::moodle`]).
            #[serde(default)]
            moodle: Option<$crate::spec::moodle::MoodleOptions>,
        }

        /// The problem kinds, as spelled in a spec and in the key, in registry order.
        pub const KINDS: &[&str] = &[$(<$module::$marker as $crate::problems::kind::Kind>::NAME),+];

        /// Every kind's examples, for the tests that loop over the registry.
        pub const EXAMPLES: &[(&str, $crate::problems::kind::Examples)] =
            &[$((<$module::$marker as $crate::problems::kind::Kind>::NAME, <$module::$marker as $crate::problems::kind::Kind>::EXAMPLES)),+];

        /// The registry's module names, to check them against the kinds' names.
        #[cfg(test)]
        pub(crate) const MODULES: &[&str] = &[$(stringify!($module)),+];

        impl RawProblem {
            /// The members of the entry's pool, if it is one (taken out of the entry).
            pub fn take_pool(&mut self) -> Option<Vec<RawProblem>> {
                self.pool.take()
            }

            /// The entry's own `moodle:` settings, if it has them (taken out of the entry).
            pub fn take_moodle(&mut self) -> Option<$crate::spec::moodle::MoodleOptions> {
                self.moodle.take()
            }

            /// Whether the entry names a problem kind.
            pub fn names_a_kind(&self) -> bool {
                false $(|| self.$module.is_some())+
            }

            /// The one problem this entry names; the outer error is a malformed entry,
            /// the inner one a broken rule inside the problem (its field path starts with
            /// the kind).
            pub fn into_problem(
                self,
            ) -> std::result::Result<std::result::Result<Problem, $crate::spec::FieldError>, String> {
                let mut found: Vec<std::result::Result<Problem, $crate::spec::FieldError>> = Vec::new();
                $(
                    if let Some(spec) = self.$module {
                        found.push(
                            <<$module::$marker as $crate::problems::kind::Kind>::Plan as TryFrom<_>>::try_from(spec)
                                .map(Problem::$variant)
                                .map_err(|e| $crate::problems::registry::within(stringify!($module), e)),
                        );
                    }
                )+
                $crate::problems::registry::one_kind(found)
            }
        }

        impl Problem {
            /// The kind as spelled in specs and keys.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Problem::$variant(_) => <$module::$marker as $crate::problems::kind::Kind>::NAME,)+
                }
            }

            /// Whether every parameter is pinned.
            pub fn is_fixed(&self) -> bool {
                match self {
                    $(Problem::$variant(plan) => <$module::$marker as $crate::problems::kind::Kind>::is_fixed(plan),)+
                }
            }

            /// Draws one variant; also returns how many candidates it took (rejected + 1).
            pub fn draw_counted(&self, rng: &mut $crate::draw::VariantRng) -> std::result::Result<(Solved, usize), $crate::draw::DrawError> {
                Ok(match self {
                    $(Problem::$variant(plan) => {
                        let (p, s, tries) = <$module::$marker as $crate::problems::kind::Kind>::draw(plan, rng)?;
                        (Solved::$variant(p, s), tries)
                    })+
                })
            }

            /// The kind's hand-work budget for drawn variants.
            pub fn budget(&self) -> $crate::render::measure::Budget {
                match self {
                    $(Problem::$variant(_) => <$module::$marker as $crate::problems::kind::Kind>::BUDGET,)+
                }
            }

            /// The hand work of the kind's published reference variant (the 2022 exam's
            /// problem), if it has one.
            pub fn reference_hand_work(&self) -> Option<$crate::render::measure::Measures> {
                match self {
                    $(Problem::$variant(_) => $crate::problems::kind::reference_hand_work::<$module::$marker>(),)+
                }
            }

            /// The constraints every variant of this problem satisfies: exactly the ones
            /// that can reject a candidate of its plan (so they depend on its settings).
            pub fn constraints(&self) -> Vec<$crate::problems::kind::ConstraintInfo> {
                match self {
                    $(Problem::$variant(plan) => $crate::problems::kind::constraint_infos::<$module::$marker>(plan),)+
                }
            }
        }

        impl Solved {
            /// The kind as spelled in specs and keys.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Solved::$variant(..) => <$module::$marker as $crate::problems::kind::Kind>::NAME,)+
                }
            }

            /// A hash of the parameters (not the points): equal for equal variants.
            pub fn fingerprint(&self) -> u64 {
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::fingerprint::<$module::$marker>(p),)+
                }
            }

            /// The hand work the variant's sheet asks for, or None when a value it
            /// should print exactly is not exact.
            pub fn hand_work(&self) -> Option<$crate::render::measure::Measures> {
                match self {
                    $(Solved::$variant(p, s) => $crate::problems::kind::hand_work::<$module::$marker>(p, s),)+
                }
            }

            /// The same variant solved again from its parameters (the engine alone: no
            /// draws, no constraint checks).
            pub fn solved_again(&self) -> Solved {
                match self {
                    $(Solved::$variant(p, _) => Solved::$variant(p.clone(), $crate::problems::kind::Variant::solve(p)),)+
                }
            }

            pub fn points(&self) -> $crate::spec::Points {
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::Variant::points(p),)+
                }
            }

            /// The answer sheet's checkpoints walked on a student's entered values (by
            /// label; see [`crate::grade::carry`]).
            pub fn carry(&self, entered: &dyn Fn(&str) -> Option<f64>) -> Vec<$crate::grade::carry::Carried> {
                let mut c = $crate::grade::carry::Carry::new(entered);
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::Checkpoints::carry(p, &mut c),)+
                }
                c.finish()
            }

            /// The answer sheet's names for the checkpoints in the problem's notation.
            pub fn sheet_labels(&self, language: $crate::spec::Language) -> Vec<$crate::problems::kind::SheetLabel> {
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::Checkpoints::labels(p, language),)+
                }
            }

            /// The numeric final answers of key.csv the answer sheet leaves to the
            /// marker, by label ([`crate::problems::kind::Checkpoints::graded_by_hand`]).
            pub fn graded_by_hand(&self) -> Vec<String> {
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::Checkpoints::graded_by_hand(p),)+
                }
            }

            /// The key.csv columns the kind declares next to its key entry.
            pub fn key_csv(&self) -> $crate::problems::kind::KeyCsv {
                match self {
                    $(Solved::$variant(..) => <$module::$marker as $crate::problems::kind::Kind>::KEY_CSV,)+
                }
            }

            /// The views the draw of this variant built on this thread, if it built them
            /// just now ([`crate::problems::kind::take_views`]).
            pub fn take_views(&self) -> Option<$crate::problems::kind::Views> {
                match self {
                    $(Solved::$variant(p, _) => $crate::problems::kind::take_views::<$module::$marker>(p),)+
                }
            }

            /// The problem's entry in `key.json`: kind, points, params and answers.
            pub fn key(&self) -> serde_json::Value {
                let (params, answers) = match self {
                    $(Solved::$variant(p, s) => (
                        $crate::problems::kind::params_json::<$module::$marker>(p),
                        serde_json::to_value(<<$module::$marker as $crate::problems::kind::Kind>::Answers as $crate::problems::kind::AnswersOf<_, _>>::of(p, s)),
                    ),)+
                };
                serde_json::json!({
                    "kind": self.kind(),
                    "points": self.points(),
                    "params": params,
                    "answers": answers.expect("answers serialize"),
                })
            }

            /// Writes [`Solved::key`] as compact JSON, as the value would be written,
            /// straight from the kind's key types; hands back the entries key.csv shows
            /// ([`Solved::key_csv`]: params, then answers) as written.
            pub fn write_key(&self, out: &mut Vec<u8>) -> Vec<Option<String>> {
                match self {
                    $(Solved::$variant(p, s) => $crate::problems::kind::write_key::<$module::$marker>(out, self.points(), p, s),)+
                }
            }

            /// The question and solution LaTeX (1-based `index` for messages) in
            /// `language`.
            pub fn render(&self, language: $crate::spec::Language, index: usize) -> $crate::error::Result<$crate::render::sheet::Block> {
                self.render_kept(language, index, None)
            }

            /// [`Solved::render`] from the views the variant's draw kept
            /// ([`Solved::take_views`]), when there are any.
            pub fn render_kept(&self, language: $crate::spec::Language, index: usize, views: Option<&$crate::problems::kind::Views>) -> $crate::error::Result<$crate::render::sheet::Block> {
                let words = $crate::render::lang::words(language);
                let rendered = match self {
                    $(Solved::$variant(p, s) => $crate::problems::kind::render_kept::<$module::$marker>(p, s, words, views),)+
                };
                let kind = self.kind();
                let rendered = rendered.map_err(|e| match e {
                    $crate::problems::kind::RenderError::NotExact(source) => $crate::error::Error::NotExact { index, kind, source },
                    $crate::problems::kind::RenderError::Template { what, source } => $crate::error::Error::Template {
                        index,
                        kind,
                        what,
                        message: source.to_string(),
                    },
                    $crate::problems::kind::RenderError::NoTemplate { language } => $crate::error::Error::NoTemplate { index, kind, language },
                })?;
                Ok($crate::render::sheet::Block {
                    number: index,
                    figures: rendered.figures,
                    points: self.points().map(|n| words.points(n)).unwrap_or_default(),
                    question: rendered.question,
                    solution: rendered.solution,
                })
            }
        }
    };
}

/// A pool's members, at most [`crate::slot::MAX_POOL`], counted while they are read.
pub(crate) fn bounded_pool<'de, D, T>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    crate::spec::number::bounded(d, crate::slot::MAX_POOL).map(Some)
}

/// A field error inside kind `kind`'s map.
pub(crate) fn within(kind: &str, e: FieldError) -> FieldError {
    FieldError::new(format!("{kind}.{}", e.field), e.message)
}

/// The single problem of an entry, or what is wrong with the entry.
pub(crate) fn one_kind(
    mut found: Vec<std::result::Result<Problem, FieldError>>,
) -> std::result::Result<std::result::Result<Problem, FieldError>, String> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "a problem needs its kind as the key, one of: {} (or `pool:` with a list of problems)",
            KINDS.join(", ")
        )),
        n => Err(format!(
            "{n} problem kinds in one list item; start each problem with its own `- `"
        )),
    }
}

impl Problem {
    /// Draws one variant and solves it with the engine.
    pub fn draw(&self, rng: &mut VariantRng) -> std::result::Result<super::Solved, DrawError> {
        self.draw_counted(rng).map(|(solved, _)| solved)
    }
}
