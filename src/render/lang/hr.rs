//! Croatian, as the 2022 exam: counted nouns follow the number (1, 21 bod; 2–4, 22 boda;
//! 5–20, 11–14 bodova) and phrases after "s" are in the instrumental case.

use super::{AnalysisWords, FeedbackWords, LayerWords, SheetWords, Words};
use crate::engine::param_count::{Cell, RecurrentStack};
use crate::engine::retrieval::Similarity;
use crate::spec::Language;

pub struct Croatian;

/// Which of the three Croatian plural forms a count takes: one (1, 21, 31 …), few
/// (2–4, 22–24 …, but not 12–14) or many (everything else).
fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

impl Words for Croatian {
    fn language(&self) -> Language {
        Language::Hr
    }

    fn sheet(&self) -> &'static SheetWords {
        &SheetWords {
            babel: "croatian",
            problem: "Zadatak",
            solution: "Rješenje",
            solutions: "rješenja",
            name: "Ime i prezime",
            id: "JMBAG",
            code: "Kod varijante",
            footer_code: "kod",
            answer_sheet: "Obrazac za odgovore",
            blank_page: "Ova je stranica namjerno prazna.",
            answer_note: "Upišite svaku traženu vrijednost u njezinu kućicu; prazna kućica nosi 0 \
                          bodova. Prihvaćaju se decimalni brojevi s decimalnim zarezom ili točkom \
                          (0,25 ili 0.25) i razlomci (29/36); vrijednost s logaritmom, \
                          eksponencijalnom funkcijom ili korijenom upišite kao decimalni broj na \
                          4 decimale (npr. $-0{,}2310$). Indeksi uz kućice kreću od 0: \\texttt{[0][1]} \
                          je prvi redak, drugi stupac. Ako je raniji međurezultat pogrešan, a \
                          kasniji ispravno izračunat iz njega, kasniji se ipak boduje.",
        }
    }

    fn points(&self, points: u32) -> String {
        let word = plural(points.into(), "bod", "boda", "bodova");
        format!("{points} {word}")
    }

    fn to_decimals(&self, d: u32) -> String {
        let word = plural(d.into(), "decimalu", "decimale", "decimala");
        format!("na {d} {word}")
    }

    fn kernels(&self, c: usize) -> String {
        match c {
            1 => "jednom jezgrom".into(),
            2 => "dvije jezgre".into(),
            3 => "tri jezgre".into(),
            4 => "četiri jezgre".into(),
            _ => format!("{c} jezgri"),
        }
    }

    fn recurrent_stack(&self, s: &RecurrentStack, cell: &str) -> String {
        let layers = match s.layers {
            1 => "jednoslojnom".into(),
            2 => "dvoslojnom".into(),
            3 => "troslojnom".into(),
            4 => "četveroslojnom".into(),
            n => format!("{n}-slojnom"),
        };
        let direction = if s.bidirectional { " dvosmjernom" } else { "" };
        format!("{layers}{direction} {cell} mrežom")
    }

    fn recurrent_sizes(&self, input: usize, hidden: usize) -> String {
        if input == 2 && hidden == 3 {
            "uz jednake dimenzionalnosti ulazne reprezentacije i skrivenog stanja".to_string()
        } else {
            format!("s ulazom dimenzije {input} i skrivenim stanjem dimenzije {hidden}")
        }
    }

    fn bias_vectors(&self, per_gate: usize, cell: Cell) -> &'static str {
        // A plain RNN has no gates: its one weight block has one bias (or PyTorch's two).
        match (per_gate, cell) {
            (2, Cell::Rnn) => {
                "dva vektora pomaka ($\\mathbf{b}_{ih}$ i $\\mathbf{b}_{hh}$, kao u PyTorchu)"
            }
            (2, _) => {
                "dva vektora pomaka po vratima ($\\mathbf{b}_{ih}$ i $\\mathbf{b}_{hh}$, kao u PyTorchu)"
            }
            (_, Cell::Rnn) => "jedan vektor pomaka",
            _ => "jedan vektor pomaka po vratima",
        }
    }

    fn cases(&self) -> (&'static str, &'static str) {
        ("ako", "inače")
    }

    fn feedback(&self) -> &'static FeedbackWords {
        &FeedbackWords {
            problem: "Zadatak",
            of: "od",
            points: "bodova",
            variant: "varijanta",
            blank: "prazno; u ključu je {key}",
            problem_blank: "sve kućice prazne",
            carried: "{v} nije vrijednost iz ključa ({key}), ali slijedi iz vaših ranijih \
                      odgovora: priznato kao prenesena pogreška",
            wrong: "{v} nije točno: u ključu je {key}",
            wrong_carried: "{v} nije točno: u ključu je {key}, a iz vaših ranijih odgovora \
                            slijedi {carried}",
            absent: "Za ovog studenta nisu upisani odgovori (odsutan).",
            total: "Ukupno",
            decimal_comma: true,
        }
    }

    fn analysis(&self) -> &'static AnalysisWords {
        &AnalysisWords {
            heading: "analiza zadataka",
            graded: "Ocijenjeno studenata: {graded} od {students}; odsutnih: {absent}.",
            mean: "Prosjek: {mean} od {max} bodova; medijan: {median}.",
            distribution: "Raspodjela bodova",
            points_axis: "bodovi",
            students_axis: "broj studenata",
            bins: "Širina razreda: {bin}; razred $[a, b)$ sadrži rezultate od $a$ do ispod $b$, \
                   posljednji i $b$.",
            per_problem: "Po zadacima",
            problem_head: ["zadatak", "prosjek", "najviše"],
            per_checkpoint: "Po međurezultatima",
            rule: "Udio ocijenjenih studenata po ishodu međurezultata (sve kućice zajedno): \
                   točno ako su sve kućice točne, prazno ako su sve prazne, netočno ako je \
                   ijedna netočna, inače preneseno (točno iz vlastitih ranijih odgovora).",
            checkpoint_head: [
                "zadatak",
                "međurezultat",
                "kućica",
                "točno",
                "preneseno",
                "netočno",
                "prazno",
            ],
            decimal_comma: true,
        }
    }

    fn layers(&self) -> &'static LayerWords {
        &LayerWords {
            convolution: "konvolucija",
            max_pool: "sažimanje maksimumom",
            avg_pool: "sažimanje prosjekom",
            batchnorm: "normalizacija po grupi (BatchNorm)",
            flatten: "izravnavanje (engl.~\\emph{flatten})",
            fully_connected: "potpuno povezani sloj",
            outputs: "izlaza",
            shape_kept: "oblik se ne mijenja",
        }
    }

    fn code(&self, code: String) -> String {
        code
    }

    fn dimensional(&self, d: usize) -> String {
        if d == 2 {
            "dvodimenzionalna".into()
        } else {
            format!("{d}-dimenzionalna")
        }
    }

    fn similarity(&self, sim: Similarity) -> (&'static str, &'static str) {
        match sim {
            Similarity::InverseL1 => (
                "recipročnu vrijednost L1 udaljenosti vektora ugrađivanja",
                "recipročna vrijednost L1 udaljenosti vektora ugrađivanja",
            ),
            Similarity::InverseL2Squared => (
                "recipročnu vrijednost kvadrata L2 udaljenosti vektora ugrađivanja",
                "recipročna vrijednost kvadrata L2 udaljenosti vektora ugrađivanja",
            ),
            Similarity::NegativeL2 => (
                "negativnu L2 udaljenost vektora ugrađivanja",
                "negativna L2 udaljenost vektora ugrađivanja",
            ),
            Similarity::Cosine => (
                "kosinusnu sličnost vektora ugrađivanja",
                "kosinusna sličnost vektora ugrađivanja",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Croatian, Words};

    #[test]
    fn croatian_plural_of_points() {
        let hr = Croatian;
        assert_eq!(hr.points(1), "1 bod");
        assert_eq!(hr.points(2), "2 boda");
        assert_eq!(hr.points(4), "4 boda");
        assert_eq!(hr.points(5), "5 bodova");
        assert_eq!(hr.points(11), "11 bodova");
        assert_eq!(hr.points(12), "12 bodova");
        assert_eq!(hr.points(21), "21 bod");
        assert_eq!(hr.points(22), "22 boda");
    }

    #[test]
    fn a_plain_rnn_has_no_gates_to_bias() {
        use crate::engine::param_count::Cell;
        let hr = Croatian;
        assert_eq!(hr.bias_vectors(1, Cell::Rnn), "jedan vektor pomaka");
        assert!(!hr.bias_vectors(2, Cell::Rnn).contains("vrat"));
        assert_eq!(
            hr.bias_vectors(1, Cell::Lstm),
            "jedan vektor pomaka po vratima"
        );
        assert!(hr.bias_vectors(2, Cell::Gru).contains("po vratima"));
    }

    #[test]
    fn croatian_plural_of_decimals() {
        let hr = Croatian;
        assert_eq!(hr.to_decimals(1), "na 1 decimalu");
        assert_eq!(hr.to_decimals(3), "na 3 decimale");
        assert_eq!(hr.to_decimals(5), "na 5 decimala");
        assert_eq!(hr.to_decimals(11), "na 11 decimala");
    }
}
