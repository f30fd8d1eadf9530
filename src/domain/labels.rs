//! Closed sets of values stored and written as fixed strings (scenarios, statuses, kinds).

/// Defines an enum whose values each have one stored string, with `as_str`, `parse`
/// (naming the field in the violation) and `ALL`.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and written form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }

            pub fn parse(value: &str, field: &str) -> Result<Self, $crate::domain::validation::Violation> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::domain::validation::Violation::new(
                        field,
                        format!("{value:?} is not {}: {}", $what, known.join(", ")),
                    )
                })
            }
        }
    };
}
