//! Reference ranges: age groups, the range of a term for a group, and the abnormal flag of a
//! value (the HL7 v2 / FHIR `ObservationInterpretation` codes L, H, LL, HH, N).

/// Age groups used for vital-sign ranges. Lab ranges ship for adults only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeGroup {
    /// Under 28 days.
    Newborn,
    /// 28 days to under 1 year.
    Infant,
    /// 1 to under 12 years.
    Child,
    /// 12 to under 18 years.
    Adolescent,
    /// 18 to under 65 years.
    Adult,
    /// 65 years and over.
    Elderly,
}

impl AgeGroup {
    /// The group of a patient aged `days` days (age at the time of the measurement).
    pub fn from_age_days(days: u32) -> AgeGroup {
        const YEAR: f64 = 365.25;
        let years = f64::from(days) / YEAR;
        match days {
            0..28 => AgeGroup::Newborn,
            _ if years < 1.0 => AgeGroup::Infant,
            _ if years < 12.0 => AgeGroup::Child,
            _ if years < 18.0 => AgeGroup::Adolescent,
            _ if years < 65.0 => AgeGroup::Adult,
            _ => AgeGroup::Elderly,
        }
    }

    pub(crate) fn parse(s: &str) -> Option<AgeGroup> {
        Some(match s {
            "newborn" => AgeGroup::Newborn,
            "infant" => AgeGroup::Infant,
            "child" => AgeGroup::Child,
            "adolescent" => AgeGroup::Adolescent,
            "adult" => AgeGroup::Adult,
            "elderly" => AgeGroup::Elderly,
            _ => return None,
        })
    }
}

/// A reference range in the term's unit. Normal is `low <= value <= high`; critical is
/// `value < critical_low` or `value > critical_high`. Missing bounds are open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceRange {
    pub group: AgeGroup,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub critical_low: Option<f64>,
    pub critical_high: Option<f64>,
    /// Where the numbers come from (guideline or reference work).
    pub source: &'static str,
}

/// How a value compares with a reference range (FHIR `v3-ObservationInterpretation` codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    CriticalLow,
    Low,
    Normal,
    High,
    CriticalHigh,
}

impl Flag {
    /// The interpretation code: `LL`, `L`, `N`, `H`, `HH`.
    pub fn code(self) -> &'static str {
        match self {
            Flag::CriticalLow => "LL",
            Flag::Low => "L",
            Flag::Normal => "N",
            Flag::High => "H",
            Flag::CriticalHigh => "HH",
        }
    }

    pub fn is_critical(self) -> bool {
        matches!(self, Flag::CriticalLow | Flag::CriticalHigh)
    }
}

impl ReferenceRange {
    pub fn flag(&self, value: f64) -> Flag {
        if self.critical_low.is_some_and(|c| value < c) {
            Flag::CriticalLow
        } else if self.critical_high.is_some_and(|c| value > c) {
            Flag::CriticalHigh
        } else if self.low.is_some_and(|l| value < l) {
            Flag::Low
        } else if self.high.is_some_and(|h| value > h) {
            Flag::High
        } else {
            Flag::Normal
        }
    }
}
