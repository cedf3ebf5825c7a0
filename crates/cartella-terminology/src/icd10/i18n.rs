//! Localised ICD-10 labels. ICD-10-CM is English only; the WHO ICD-10 chapter titles have
//! official Italian, French and German translations, which ship here with the CM code ranges.
//! More tables (blocks, common categories) can be added per language in the same shape.

use crate::text::Lang;

/// `(chapter number, Italian, French, German)`.
const CHAPTERS: [(&str, &str, &str, &str); 22] = [
    (
        "1",
        "Alcune malattie infettive e parassitarie (A00-B99)",
        "Certaines maladies infectieuses et parasitaires (A00-B99)",
        "Bestimmte infektiöse und parasitäre Krankheiten (A00-B99)",
    ),
    (
        "2",
        "Tumori (C00-D49)",
        "Tumeurs (C00-D49)",
        "Neubildungen (C00-D49)",
    ),
    (
        "3",
        "Malattie del sangue e degli organi ematopoietici ed alcuni disturbi del sistema immunitario (D50-D89)",
        "Maladies du sang et des organes hématopoïétiques et certains troubles du système immunitaire (D50-D89)",
        "Krankheiten des Blutes und der blutbildenden Organe sowie bestimmte Störungen mit Beteiligung des Immunsystems (D50-D89)",
    ),
    (
        "4",
        "Malattie endocrine, nutrizionali e metaboliche (E00-E89)",
        "Maladies endocriniennes, nutritionnelles et métaboliques (E00-E89)",
        "Endokrine, Ernährungs- und Stoffwechselkrankheiten (E00-E89)",
    ),
    (
        "5",
        "Disturbi psichici e comportamentali (F01-F99)",
        "Troubles mentaux et du comportement (F01-F99)",
        "Psychische und Verhaltensstörungen (F01-F99)",
    ),
    (
        "6",
        "Malattie del sistema nervoso (G00-G99)",
        "Maladies du système nerveux (G00-G99)",
        "Krankheiten des Nervensystems (G00-G99)",
    ),
    (
        "7",
        "Malattie dell'occhio e degli annessi oculari (H00-H59)",
        "Maladies de l'œil et de ses annexes (H00-H59)",
        "Krankheiten des Auges und der Augenanhangsgebilde (H00-H59)",
    ),
    (
        "8",
        "Malattie dell'orecchio e dell'apofisi mastoide (H60-H95)",
        "Maladies de l'oreille et de l'apophyse mastoïde (H60-H95)",
        "Krankheiten des Ohres und des Warzenfortsatzes (H60-H95)",
    ),
    (
        "9",
        "Malattie del sistema circolatorio (I00-I99)",
        "Maladies de l'appareil circulatoire (I00-I99)",
        "Krankheiten des Kreislaufsystems (I00-I99)",
    ),
    (
        "10",
        "Malattie del sistema respiratorio (J00-J99)",
        "Maladies de l'appareil respiratoire (J00-J99)",
        "Krankheiten des Atmungssystems (J00-J99)",
    ),
    (
        "11",
        "Malattie dell'apparato digerente (K00-K95)",
        "Maladies de l'appareil digestif (K00-K95)",
        "Krankheiten des Verdauungssystems (K00-K95)",
    ),
    (
        "12",
        "Malattie della cute e del tessuto sottocutaneo (L00-L99)",
        "Maladies de la peau et du tissu cellulaire sous-cutané (L00-L99)",
        "Krankheiten der Haut und der Unterhaut (L00-L99)",
    ),
    (
        "13",
        "Malattie del sistema osteomuscolare e del tessuto connettivo (M00-M99)",
        "Maladies du système ostéo-articulaire, des muscles et du tissu conjonctif (M00-M99)",
        "Krankheiten des Muskel-Skelett-Systems und des Bindegewebes (M00-M99)",
    ),
    (
        "14",
        "Malattie dell'apparato genitourinario (N00-N99)",
        "Maladies de l'appareil génito-urinaire (N00-N99)",
        "Krankheiten des Urogenitalsystems (N00-N99)",
    ),
    (
        "15",
        "Gravidanza, parto e puerperio (O00-O9A)",
        "Grossesse, accouchement et puerpéralité (O00-O9A)",
        "Schwangerschaft, Geburt und Wochenbett (O00-O9A)",
    ),
    (
        "16",
        "Alcune condizioni morbose che hanno origine nel periodo perinatale (P00-P96)",
        "Certaines affections dont l'origine se situe dans la période périnatale (P00-P96)",
        "Bestimmte Zustände, die ihren Ursprung in der Perinatalperiode haben (P00-P96)",
    ),
    (
        "17",
        "Malformazioni e deformazioni congenite, anomalie cromosomiche (Q00-QA0)",
        "Malformations congénitales et anomalies chromosomiques (Q00-QA0)",
        "Angeborene Fehlbildungen, Deformitäten und Chromosomenanomalien (Q00-QA0)",
    ),
    (
        "18",
        "Sintomi, segni e risultati anormali di esami clinici e di laboratorio, non classificati altrove (R00-R99)",
        "Symptômes, signes et résultats anormaux d'examens cliniques et de laboratoire, non classés ailleurs (R00-R99)",
        "Symptome und abnorme klinische und Laborbefunde, die anderenorts nicht klassifiziert sind (R00-R99)",
    ),
    (
        "19",
        "Traumatismi, avvelenamenti ed alcune altre conseguenze di cause esterne (S00-T88)",
        "Lésions traumatiques, empoisonnements et certaines autres conséquences de causes externes (S00-T88)",
        "Verletzungen, Vergiftungen und bestimmte andere Folgen äußerer Ursachen (S00-T88)",
    ),
    (
        "20",
        "Cause esterne di morbosità e mortalità (V00-Y99)",
        "Causes externes de morbidité et de mortalité (V00-Y99)",
        "Äußere Ursachen von Morbidität und Mortalität (V00-Y99)",
    ),
    (
        "21",
        "Fattori influenzanti lo stato di salute ed il ricorso ai servizi sanitari (Z00-Z99)",
        "Facteurs influant sur l'état de santé et motifs de recours aux services de santé (Z00-Z99)",
        "Faktoren, die den Gesundheitszustand beeinflussen und zur Inanspruchnahme des Gesundheitswesens führen (Z00-Z99)",
    ),
    (
        "22",
        "Codici per scopi speciali (U00-U85)",
        "Codes d'utilisation particulière (U00-U85)",
        "Schlüsselnummern für besondere Zwecke (U00-U85)",
    ),
];

/// The translated title of chapter `number`, if one ships for `lang`.
pub(super) fn chapter_title(number: &str, lang: Lang) -> Option<&'static str> {
    let (_, it, fr, de) = CHAPTERS.iter().find(|(n, ..)| *n == number)?;
    match lang {
        Lang::En => None,
        Lang::It => Some(it),
        Lang::Fr => Some(fr),
        Lang::De => Some(de),
    }
}
