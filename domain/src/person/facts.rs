//! Social facts on a person's file that eligibility rules read (R5): household assistance status
//! and employment. Codes are stable and match the schema enums.

code_enum! {
    /// 家庭经济状况: whether the household receives assistance.
    HouseholdStatus {
        /// No assistance.
        #[default]
        None = "NONE",
        /// 低保 (minimum living allowance).
        Dibao = "DIBAO",
        /// 低收入 (low-income household).
        LowIncome = "LOW_INCOME",
        /// 特困 (extreme hardship support).
        SpecialHardship = "SPECIAL_HARDSHIP",
    }
}

code_enum! {
    /// 就业状况.
    Employment {
        /// Employed or self-employed.
        Employed = "EMPLOYED",
        /// Of working age, not employed.
        #[default]
        Unemployed = "UNEMPLOYED",
        /// In education.
        Student = "STUDENT",
        /// Retired.
        Retired = "RETIRED",
        /// Unable to work.
        Unable = "UNABLE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for h in HouseholdStatus::ALL {
            assert_eq!(HouseholdStatus::parse("f", h.as_str()).unwrap(), *h);
        }
        for e in Employment::ALL {
            assert_eq!(Employment::parse("f", e.as_str()).unwrap(), *e);
        }
        let err = HouseholdStatus::parse("input.householdStatus", "RICH").unwrap_err();
        assert!(err.to_string().contains("DIBAO"), "{err}");
        assert_eq!(Employment::from_stored("??"), Employment::Unemployed);
    }
}
