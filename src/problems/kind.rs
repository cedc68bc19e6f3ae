//! The `Kind` trait: everything one problem kind knows, from its spec to its sheet.
//!
//! A kind is one module (a folder `problems/<kind>/` when large) plus its templates,
//! listed once in [`super::registry`]. The glue every kind shares — fixed-or-draw with
//! rejection counting, the fingerprint, the key entry, turning render failures into
//! errors — is written once here, generically, so a new kind writes only what is its
//! own.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::draw::{fixed_or_drawn, Candidate, Constraint, DrawError, Rejection, VariantRng};
use crate::export::sorted_json;
use crate::grade::carry::Carry;
use crate::render::figure::Figure;
use crate::render::lang::Words;
use crate::render::latex::FormatError;
use crate::render::measure::{measure, Budget, Measures};
use crate::spec::{FieldError, Language, Points};

/// One problem kind. The stages run in this order: the spec entry ([`Kind::Spec`], as
/// written) is checked once into a [`Kind::Plan`]; each variant is the pinned parameters
/// or a drawn [`Kind::candidate`] that keeps every constraint; [`Variant::solve`] runs the
/// engine; the key and the sheet are built from parameters and solution.
pub trait Kind: 'static {
    /// The kind as spelled in specs and keys (the registry checks it is the module name).
    const NAME: &'static str;
    /// The key.csv columns, by name, taken from the serialized key entry.
    const KEY_CSV: KeyCsv;
    /// Spec entries the tests that loop over every registered kind use.
    const EXAMPLES: Examples;
    /// The most hand work a drawn variant's sheet may ask for, measured on every exact
    /// value it prints (the [`HAND_WORK`] constraint of every drawn plan). Pinned
    /// problems are the lecturer's own choice and are not held to it.
    const BUDGET: Budget;

    /// The problem as written in a spec (serde, strict: unknown fields are errors).
    type Spec: DeserializeOwned;
    /// The checked spec: pins and knobs, ready to draw. Checked from the spec entry by
    /// its `TryFrom` (in the kind's spec module); errors name the field relative to the
    /// kind's map.
    type Plan: TryFrom<Self::Spec, Error = FieldError>
        + Clone
        + std::fmt::Debug
        + PartialEq
        + Send
        + Sync;
    /// One variant's parameters, which the engine solves ([`Variant`]).
    type Params: Variant<Solution = Self::Solution> + Checkpoints;
    /// Every intermediate the worked solution shows.
    type Solution: Clone + std::fmt::Debug + Send + Sync + 'static;
    /// The parameters as key.json shows them: everything needed to recompute every
    /// answer. Also the variant's identity ([`fingerprint`]).
    type KeyParams: Serialize + for<'a> From<&'a Self::Params>;
    /// The answers as key.json shows them.
    type Answers: Serialize + AnswersOf<Self::Params, Self::Solution>;
    /// The question's view (an askama template; every number already formatted).
    type Question: QuestionView<Self::Params> + Send + Sync + 'static;
    /// The worked solution's view.
    type Worked: WorkedView<Self::Params, Self::Solution> + Send + Sync + 'static;

    /// Whether every parameter is pinned (the draw then takes nothing from the stream).
    fn is_fixed(plan: &Self::Plan) -> bool {
        Self::pinned(plan).is_some()
    }
    /// The fully pinned variant, when [`Kind::is_fixed`].
    fn pinned(plan: &Self::Plan) -> Option<Self::Params>;
    /// One drawn candidate (pinned parameters kept), or the constraint that gave it up.
    fn candidate(
        plan: &Self::Plan,
        rng: &mut VariantRng,
    ) -> Candidate<Self::Params, Self::Solution>;
    /// Every constraint that can reject a candidate of this plan (or break a pinned
    /// variant): exactly what `examgen check` lists.
    fn constraints(plan: &Self::Plan) -> Vec<Rejection<Self::Params, Self::Solution>>;

    /// One variant: parameters, solution, and how many candidates it took.
    fn draw(
        plan: &Self::Plan,
        rng: &mut VariantRng,
    ) -> Result<(Self::Params, Self::Solution, usize), DrawError> {
        fixed_or_drawn(
            rng,
            Self::pinned(plan),
            |rng| Self::candidate(plan, rng),
            Variant::solve,
            &all_constraints::<Self>(plan),
        )
    }
}

/// A variant's parameters: the engine solves them (in the kind's solve module), and they
/// carry the problem's points.
pub trait Variant: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Every intermediate the worked solution shows.
    type Solution;
    /// Runs the engine.
    fn solve(&self) -> Self::Solution;
    /// The problem's points on the sheet.
    fn points(&self) -> Points;
}

/// A variant's solution walked checkpoint by checkpoint for grading (in the kind's carry
/// module; see [`crate::grade::carry`]).
pub trait Checkpoints {
    /// Records each value the answer sheet asks for, in solving order, computed from the
    /// effective values of the earlier ones (the student's own where written), so that a
    /// later answer that is right given a wrong earlier one earns error-carried-forward
    /// credit. Walked with nothing entered, every checkpoint equals the key's answer of
    /// the same label, and every numeric final answer of key.csv is among them.
    fn carry(&self, c: &mut Carry);

    /// The answer sheet's names for the checkpoints, in the problem's own notation (the
    /// symbol the text uses, and a few words on what the value is and how its indices
    /// run). A checkpoint without a label is shown by its answers-file name alone.
    fn labels(&self, _language: Language) -> Vec<SheetLabel> {
        Vec::new()
    }

    /// The numeric final answers of key.csv that the answer sheet leaves out, by label
    /// (`hs[0][2]`): values the problem text leaves open (a design task with many right
    /// answers), which no box can grade and the marker grades by hand. Key.json and
    /// key.csv still hold the key's own choice. Every other final answer must be a
    /// checkpoint (the generic checkpoint test holds each kind to exactly this list).
    fn graded_by_hand(&self) -> Vec<String> {
        Vec::new()
    }
}

/// How the answer sheet names one checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetLabel {
    /// The checkpoint's name in the carry walk and the answers file (`h`).
    pub name: &'static str,
    /// The symbol of the problem text, LaTeX math without dollars (`\mathbf{h}`).
    pub symbol: String,
    /// A few words in the sheet's language, LaTeX text (math in dollars): what the value
    /// is, how its indices run (`izlazi konvolucije prije ReLU; redak = jezgra`).
    pub note: String,
}

impl SheetLabel {
    pub fn new(name: &'static str, symbol: impl Into<String>, note: impl Into<String>) -> Self {
        SheetLabel {
            name,
            symbol: symbol.into(),
            note: note.into(),
        }
    }

    /// A label whose symbol both languages share, with the note of `language` (`hr` for
    /// Croatian, `en` for English).
    pub fn localized(
        language: Language,
        name: &'static str,
        symbol: impl Into<String>,
        hr: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let note = match language {
            Language::Hr => hr.into(),
            Language::En => en.into(),
        };
        SheetLabel::new(name, symbol, note)
    }

    /// [`SheetLabel::localized`] for `language`, as a kind's `labels` writes its list:
    /// `label(name, symbol, hr, en)`.
    pub fn in_language(language: Language) -> impl Fn(&'static str, &str, &str, &str) -> Self {
        move |name, symbol, hr, en| SheetLabel::localized(language, name, symbol, hr, en)
    }
}

/// The answers of a key entry, built from a variant and its solution (in the kind's key
/// module).
pub trait AnswersOf<P, S> {
    fn of(params: &P, solution: &S) -> Self;
}

/// A question's view: an askama template with every number already formatted (in the
/// kind's render module).
pub trait QuestionView<P>: Localized + Sized {
    /// The view in `words`' language; fails on a value that should print exactly and
    /// does not.
    fn build(params: &P, words: &dyn Words) -> Result<Self, FormatError>;
}

/// A worked solution's view (in the kind's render module).
pub trait WorkedView<P, S>: Localized + Sized {
    /// The view in `words`' language; fails on a value that should print exactly and
    /// does not.
    fn build(params: &P, solution: &S, words: &dyn Words) -> Result<Self, FormatError>;
    /// The shared figures the worked solution shows (written once per run).
    fn figures(&self) -> Vec<Figure> {
        Vec::new()
    }
}

/// A view with one template per language it is written in; the kind's render module
/// declares them with [`localized!`](crate::localized).
pub trait Localized {
    /// The view rendered in `language`, or None when the kind has no template in it.
    fn render_in(&self, language: Language) -> Option<askama::Result<String>>;
}

/// Declares a view's templates, one per language: `localized!(Question { Hr =>
/// "hr/kind_question.tex", En => "en/kind_question.tex" });`. askama derives one
/// template per type, so each language gets a wrapper over the view (in a block of its
/// own, named after the language) that derefs to it: every template reads the same
/// fields, and a language the list leaves out renders as None.
#[macro_export]
macro_rules! localized {
    ($view:ident { $($language:ident => $path:tt),+ $(,)? }) => {
        const _: () = {
            $(
                #[derive(askama::Template)]
                #[template(path = $path)]
                struct $language<'a>(&'a $view);

                impl std::ops::Deref for $language<'_> {
                    type Target = $view;
                    fn deref(&self) -> &$view {
                        self.0
                    }
                }
            )+

            impl $crate::problems::kind::Localized for $view {
                fn render_in(
                    &self,
                    language: $crate::spec::Language,
                ) -> Option<askama::Result<String>> {
                    #[allow(unreachable_patterns, reason = "a kind may have every language")]
                    match language {
                        $($crate::spec::Language::$language => Some(askama::Template::render(&$language(self))),)+
                        _ => None,
                    }
                }
            }
        };
    };
}

/// Which entries of a kind's key.json entry key.csv shows, by name: `params` first (e.g.
/// which activation was drawn), then `answers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyCsv {
    pub params: &'static [&'static str],
    pub answers: &'static [&'static str],
}

impl KeyCsv {
    /// The entries key.csv shows, in its column order: each as the part of the key
    /// entry it is in (`params`, `answers`) and its name.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        let params = self.params.iter().map(|f| ("params", *f));
        params.chain(self.answers.iter().map(|f| ("answers", *f)))
    }

    /// What [`Solved::write_key`](super::Solved::write_key) hands back for these
    /// entries, read from the key entry as a value (for tests).
    #[cfg(test)]
    pub fn of_value(&self, key: &Value) -> Vec<Option<String>> {
        let entry = |(part, name): (&str, &str)| key[part].get(name).map(Value::to_string);
        self.entries().map(entry).collect()
    }
}

/// Spec entries of a kind (each the YAML of the kind's map, indented by 6 spaces as in a
/// spec's `problems:` list after `  - <kind>:`), for the tests that loop over every
/// registered kind. The default draw (`draw: {}`) needs no example.
#[derive(Clone, Copy, Debug)]
pub struct Examples {
    /// A `draw:` entry with some parameters pinned, and those parameters as the key's
    /// `params` shows them: (name, JSON value) — every variant must keep them.
    pub partly_pinned: (&'static str, &'static [(&'static str, &'static str)]),
    /// The published variant this kind was modelled on (e.g. the 2022 exam's problem), a
    /// fully pinned entry: `examgen check` shows its hand work next to the drawn
    /// variants', and the random spec must never draw it.
    pub reference: Option<&'static str>,
    /// A fully pinned entry that breaks a rule of the kind, and a phrase the error that
    /// reading it gives must contain (the constraint's name, or the field's message when
    /// the check of the spec itself enforces the rule).
    pub broken: (&'static str, &'static str),
}

/// A constraint's name and description, for reports.
pub type ConstraintInfo = (&'static str, &'static str);

/// The name of the constraint that holds a drawn variant to its kind's [`Kind::BUDGET`].
pub const HAND_WORK: &str = "hand_work";

/// Every constraint of a plan: the kind's own, and for a plan that draws, [`HAND_WORK`].
pub fn all_constraints<K: Kind + ?Sized>(plan: &K::Plan) -> Vec<Rejection<K::Params, K::Solution>> {
    let mut constraints = K::constraints(plan);
    if !K::is_fixed(plan) {
        constraints.push(
            const {
                &Constraint {
                    name: HAND_WORK,
                    description: "every exact value the solution prints stays within the kind's \
                              hand-work budget (largest denominator, largest integer, number \
                              of different fractions; see the hand-work lines)",
                    holds: within_budget::<K>,
                }
            },
        );
    }
    constraints
}

/// Whether a variant's sheet prints exactly and stays within the kind's budget.
fn within_budget<K: Kind + ?Sized>(params: &K::Params, solution: &K::Solution) -> bool {
    Checked::take::<K>(params, solution)
        .unwrap_or_else(|| hand_work::<K>(params, solution))
        .is_some_and(|m| K::BUDGET.allows(&m))
}

/// The constraints of a plan, for reports.
pub fn constraint_infos<K: Kind>(plan: &K::Plan) -> Vec<ConstraintInfo> {
    all_constraints::<K>(plan)
        .iter()
        .map(|c| (c.name, c.description))
        .collect()
}

/// One problem's LaTeX: the question, the worked solution, and the shared figures the
/// solution shows.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub question: String,
    pub solution: String,
    pub figures: Vec<Figure>,
}

/// Why a problem could not be rendered.
#[derive(Debug)]
pub enum RenderError {
    /// A value the sheet prints as exact is not.
    NotExact(FormatError),
    /// The question's or the solution's template failed.
    Template {
        what: &'static str,
        source: askama::Error,
    },
    /// The kind has no template in the exam's language.
    NoTemplate { language: Language },
}

impl From<FormatError> for RenderError {
    fn from(e: FormatError) -> Self {
        RenderError::NotExact(e)
    }
}

/// The question and the worked solution of one variant, in `words`' language.
pub fn render<K: Kind>(
    params: &K::Params,
    solution: &K::Solution,
    words: &dyn Words,
) -> Result<Rendered, RenderError> {
    render_kept::<K>(params, solution, words, None)
}

/// [`render`], from the views the variant's draw kept ([`take_views`]) when they are
/// this variant's in `words`' language.
pub fn render_kept<K: Kind>(
    params: &K::Params,
    solution: &K::Solution,
    words: &dyn Words,
    views: Option<&Views>,
) -> Result<Rendered, RenderError> {
    let language = words.language();
    let render = |view: &dyn Localized, what| {
        view.render_in(language)
            .ok_or(RenderError::NoTemplate { language })?
            .map_err(|source| RenderError::Template { what, source })
    };
    // The views the draw built, when they are this variant's in this language.
    let kept = views
        .and_then(|v| {
            v.0.downcast_ref::<Built<K::Params, K::Question, K::Worked>>()
        })
        .filter(|b| b.language == language && b.params == *params);
    let fresh;
    let (question, worked) = match kept {
        Some(built) => (&built.question, &built.worked),
        None => {
            let worked = K::Worked::build(params, solution, words)?;
            fresh = (K::Question::build(params, words)?, worked);
            (&fresh.0, &fresh.1)
        }
    };
    Ok(Rendered {
        question: render(question, "question")?,
        solution: render(worked, "solution")?,
        figures: worked.figures(),
    })
}

/// A drawn variant's views as its draw built them (the `printed_exact` check builds
/// them to see that every number formats exactly), kept so that rendering the variant
/// does not build them a second time: building the views is most of rendering.
pub struct Views(Box<dyn std::any::Any + Send + Sync>);

/// What [`Views`] holds: the views of `params` in `language`.
struct Built<P, Q, W> {
    params: P,
    language: Language,
    question: Q,
    worked: W,
}

thread_local! {
    /// The views [`builds`] built last on this thread.
    static BUILT: std::cell::RefCell<Option<Box<dyn std::any::Any + Send + Sync>>> =
        const { std::cell::RefCell::new(None) };
    /// The language draws on this thread build their views in ([`drawing_in`]).
    static DRAWING_IN: std::cell::Cell<Language> = const { std::cell::Cell::new(Language::Hr) };
}

/// Runs `draw` with the views of its `printed_exact` checks built in `language`, the
/// language the drawn variants will be rendered in, so that [`take_views`] finds them
/// (numbers are formatted the same in every language: what is checked is the same).
pub fn drawing_in<T>(language: Language, draw: impl FnOnce() -> T) -> T {
    /// Puts the thread's language back, also when `draw` panics (a pool thread lives on).
    struct Restore(Language);
    impl Drop for Restore {
        fn drop(&mut self) {
            DRAWING_IN.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DRAWING_IN.with(|d| d.replace(language)));
    draw()
}

/// The views built last on this thread, if they are those of `params` (the variant just
/// drawn; None for a variant drawn without building its views, e.g. a pinned one).
pub fn take_views<K: Kind>(params: &K::Params) -> Option<Views> {
    let built = BUILT.with(|b| b.take())?;
    built
        .downcast_ref::<Built<K::Params, K::Question, K::Worked>>()
        .is_some_and(|b| b.params == *params)
        .then_some(Views(built))
}

/// Whether every value the variant's sheet prints as exact formats exactly: the views
/// are built (which formats every number) in the language of [`drawing_in`], and kept
/// for [`take_views`] (the drawn candidate's are rendered; the others are dropped). The
/// test of each kind's `printed_exact` constraint ([`crate::draw::printed_exact`]).
///
/// The hand work is measured on the way and kept for [`HAND_WORK`], the last constraint,
/// which a drawn candidate meets later on the same borrowed values (see [`Checked`]):
/// building the views is most of a draw.
pub fn prints_exactly<K: Kind + ?Sized>(params: &K::Params, solution: &K::Solution) -> bool {
    let measured = hand_work::<K>(params, solution);
    Checked::keep::<K>(params, solution, measured);
    measured.is_some()
}

/// Builds the variant's views (in the language of [`drawing_in`]) and keeps them for
/// [`take_views`]; false when a value they print as exact is not.
fn builds<K: Kind + ?Sized>(params: &K::Params, solution: &K::Solution) -> bool {
    let words = crate::render::lang::words(DRAWING_IN.with(|d| d.get()));
    let Ok(question) = K::Question::build(params, words) else {
        return false;
    };
    let Ok(worked) = K::Worked::build(params, solution, words) else {
        return false;
    };
    let built = Built {
        params: params.clone(),
        language: words.language(),
        question,
        worked,
    };
    BUILT.with(|b| b.replace(Some(Box::new(built))));
    true
}

/// The hand work of the variant [`prints_exactly`] checked last on this thread, so that
/// [`HAND_WORK`] need not build its views a second time. It is used only for the very
/// same variant: parameters equal to a copy kept here, and the solution at the same
/// address (the constraints of one candidate are checked on one borrowed solution, which
/// nothing can change in between); anything else measures afresh.
struct Checked {
    params: Box<dyn std::any::Any>,
    solution: usize,
    measured: Option<Measures>,
}

thread_local! {
    static CHECKED: std::cell::RefCell<Option<Checked>> = const { std::cell::RefCell::new(None) };
}

impl Checked {
    fn keep<K: Kind + ?Sized>(
        params: &K::Params,
        solution: &K::Solution,
        measured: Option<Measures>,
    ) {
        let checked = Checked {
            params: Box::new(params.clone()),
            solution: std::ptr::from_ref(solution) as usize,
            measured,
        };
        CHECKED.with(|c| c.replace(Some(checked)));
    }

    /// The kept hand work of this variant, if it is the one kept (taken: used once).
    fn take<K: Kind + ?Sized>(
        params: &K::Params,
        solution: &K::Solution,
    ) -> Option<Option<Measures>> {
        let kept = CHECKED.with(|c| c.take())?;
        let same = kept.solution == std::ptr::from_ref(solution) as usize
            && kept.params.downcast_ref::<K::Params>() == Some(params);
        same.then_some(kept.measured)
    }
}

/// A kind's plan from the YAML of its map, for tests.
#[cfg(test)]
pub fn plan_from_yaml<K: Kind>(yaml: &str) -> Result<K::Plan, FieldError> {
    let spec: K::Spec = serde_yaml::from_str(yaml).expect("the test spec parses");
    K::Plan::try_from(spec)
}

/// The hand work the variant's sheet asks for (see [`crate::render::measure`]), or None
/// when some value it should print exactly is not exact.
pub fn hand_work<K: Kind + ?Sized>(params: &K::Params, solution: &K::Solution) -> Option<Measures> {
    let (exact, measures) = measure(|| builds::<K>(params, solution));
    exact.then_some(measures)
}

/// The hand work of the kind's published reference variant ([`Examples::reference`]),
/// for reports; None when the kind has none.
pub fn reference_hand_work<K: Kind>() -> Option<Measures> {
    let yaml: String = K::EXAMPLES
        .reference?
        .lines()
        .map(|l| l.strip_prefix("      ").unwrap_or(l).to_string() + "\n")
        .collect();
    let spec: K::Spec = serde_yaml::from_str(&yaml).ok()?;
    let params = K::pinned(&K::Plan::try_from(spec).ok()?)?;
    let solution = params.solve();
    hand_work::<K>(&params, &solution)
}

/// The serialized key parameters as a JSON value (the key entry's `params`).
pub fn params_json<K: Kind>(params: &K::Params) -> Value {
    serde_json::to_value(K::KeyParams::from(params)).expect("key parameters serialize")
}

/// The identity of a variant: a hash of its serialized key parameters (not its points),
/// equal for equal variants. The key parameters are everything needed to recompute every
/// answer, so two variants that hash alike are the same problem.
///
/// The hash is FNV-1a of the kind's name and the parameters' compact JSON, written with
/// `-0.0` as `0.0` ([`sorted_json::Plain`]): two variants of a kind write the same text
/// exactly when their parameters are equal as key.json values (a number is written as
/// the shortest text that reads back as it; the kind's fields come in one order).
/// Only equality of fingerprints is ever used (clashes, variant counts), never a value.
pub fn fingerprint<K: Kind>(params: &K::Params) -> u64 {
    let mut text = Vec::with_capacity(256);
    text.extend_from_slice(K::NAME.as_bytes());
    text.push(b'\n');
    sorted_json::write_plain(&mut text, &K::KeyParams::from(params))
        .expect("key parameters serialize");
    text.iter().fold(0xcbf2_9ce4_8422_2325, |h: u64, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes a variant's key.json entry (kind, points, params and answers) as compact JSON
/// with sorted keys, as its `serde_json::Value` would be written
/// ([`sorted_json::write_picking`]), and hands back the entries key.csv shows ([`Kind::KEY_CSV`]:
/// its params, then its answers) as written, None for one not written.
pub fn write_key<K: Kind>(
    out: &mut Vec<u8>,
    points: Points,
    params: &K::Params,
    solution: &K::Solution,
) -> Vec<Option<String>> {
    /// The entry; its fields are written in key order whatever their order here.
    #[derive(Serialize)]
    struct Entry<P, A> {
        kind: &'static str,
        points: Points,
        params: P,
        answers: A,
    }
    let entry = Entry {
        kind: K::NAME,
        points,
        params: K::KeyParams::from(params),
        answers: K::Answers::of(params, solution),
    };
    let pick: Vec<(&str, &str)> = K::KEY_CSV.entries().collect();
    sorted_json::write_picking(out, &entry, &pick).expect("key entries serialize")
}
