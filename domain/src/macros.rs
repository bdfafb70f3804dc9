//! Small macros shared by the domain modules.

/// A closed set of stable string codes (as stored and as in the schema) with parsing that
/// answers `BAD_USER_INPUT` listing the allowed values.
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// Stable code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            /// Parse a stored or submitted code.
            pub fn parse(field: &str, code: &str) -> crate::error::DomainResult<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == code)
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        crate::error::DomainError::bad_input(field, format!("取值无效，可选：{}", allowed.join("、")))
                    })
            }

            /// Parse a stored code, falling back to the default for an unknown one.
            pub fn from_stored(code: &str) -> Self {
                Self::ALL.iter().copied().find(|v| v.as_str() == code).unwrap_or_default()
            }
        }
    };
}
