//! What the magic-link pages say, in every built-in language: the one table
//! of the pages' words, English included.
//!
//! The strings are trusted HTML text: they go into the page unescaped, so
//! they must not contain `<`, `>`, `&` or `"` (a unit test checks).
//! `{app}` marks where the escaped application name goes.

use sesame_domain::page::LinkProblem;

/// The heading and the sentence under it for one [`LinkProblem`].
pub(crate) struct Problem {
    pub(crate) title: &'static str,
    pub(crate) text: &'static str,
}

/// Every string of both pages in one language.
pub(crate) struct PageText {
    /// The BCP 47 tag, in the crate's normalized (lower-case) form.
    pub(crate) locale: &'static str,
    /// The confirm page's heading and title, with [`APP`](crate::markup::APP).
    pub(crate) sign_in_to: &'static str,
    /// The sentence under the confirm page's heading.
    pub(crate) confirm_hint: &'static str,
    /// The confirm button.
    pub(crate) continue_button: &'static str,
    /// The error page's link back, with [`APP`](crate::markup::APP).
    pub(crate) back_to: &'static str,
    /// The link back when the application's name is unknown.
    pub(crate) back_to_the_application: &'static str,
    invalid: Problem,
    expired: Problem,
    used: Problem,
    redirect_mismatch: Problem,
    not_allowed: Problem,
    access_denied: Problem,
    unavailable: Problem,
    unconfirmed: Problem,
}

impl PageText {
    /// What the error page says about `problem`.
    pub(crate) const fn problem(&self, problem: LinkProblem) -> &Problem {
        match problem {
            LinkProblem::Invalid => &self.invalid,
            LinkProblem::Expired => &self.expired,
            LinkProblem::Used => &self.used,
            LinkProblem::RedirectMismatch => &self.redirect_mismatch,
            LinkProblem::NotAllowed => &self.not_allowed,
            LinkProblem::AccessDenied => &self.access_denied,
            LinkProblem::Unavailable => &self.unavailable,
            LinkProblem::Unconfirmed => &self.unconfirmed,
        }
    }
}

/// The texts for a normalized locale key (`fr`), if there are any.
pub(crate) fn get(key: &str) -> Option<&'static PageText> {
    ALL.iter().find(|t| t.locale == key)
}

/// Every language, English first.
pub(crate) const ALL: [PageText; 4] = [ENGLISH, GERMAN, FRENCH, SPANISH];

/// The last resort, as in [`crate::locale::LAST_RESORT`].
pub(crate) const ENGLISH: PageText = PageText {
    locale: "en",
    sign_in_to: "Sign in to {app}",
    confirm_hint: "Continue to finish signing in.",
    continue_button: "Continue",
    back_to: "Back to {app}",
    back_to_the_application: "Back to the application",
    invalid: Problem {
        title: "This link is not valid",
        text: "It may be incomplete, or a newer link was sent. Request a new one.",
    },
    expired: Problem {
        title: "This link has expired",
        text: "Request a new link to sign in.",
    },
    used: Problem {
        title: "This link was already used",
        text: "Each link works once. Request a new one to sign in again.",
    },
    redirect_mismatch: Problem {
        title: "This link cannot be completed",
        text: "The application's return address is not registered.",
    },
    not_allowed: Problem {
        title: "Sign-in links are not enabled",
        text: "This application does not accept sign-in links.",
    },
    access_denied: Problem {
        title: "You cannot sign in",
        text: "This account may not sign in to this application.",
    },
    unavailable: Problem {
        title: "Something went wrong",
        text: "We could not complete your sign-in. Please try again in a moment.",
    },
    unconfirmed: Problem {
        title: "Open the link again",
        text: "This page was not opened in this browser, or it was open too long. Open the link from your email again: it still works.",
    },
};

// Formal "Sie", like the German emails.
const GERMAN: PageText = PageText {
    locale: "de",
    sign_in_to: "Anmeldung bei {app}",
    confirm_hint: "Klicken Sie auf „Weiter“, um die Anmeldung abzuschließen.",
    continue_button: "Weiter",
    back_to: "Zurück zu {app}",
    back_to_the_application: "Zurück zur Anwendung",
    invalid: Problem {
        title: "Dieser Link ist ungültig",
        text: "Er ist möglicherweise unvollständig, oder es wurde bereits ein neuerer Link \
               gesendet. Fordern Sie einen neuen an.",
    },
    expired: Problem {
        title: "Dieser Link ist abgelaufen",
        text: "Fordern Sie einen neuen Link an, um sich anzumelden.",
    },
    used: Problem {
        title: "Dieser Link wurde bereits verwendet",
        text: "Jeder Link funktioniert nur einmal. Fordern Sie einen neuen an, um sich \
               erneut anzumelden.",
    },
    redirect_mismatch: Problem {
        title: "Die Anmeldung über diesen Link kann nicht abgeschlossen werden",
        text: "Die Rücksprungadresse der Anwendung ist nicht registriert.",
    },
    not_allowed: Problem {
        title: "Anmeldelinks sind nicht aktiviert",
        text: "Diese Anwendung akzeptiert keine Anmeldelinks.",
    },
    access_denied: Problem {
        title: "Sie können sich nicht anmelden",
        text: "Dieses Konto darf sich nicht bei dieser Anwendung anmelden.",
    },
    unavailable: Problem {
        title: "Etwas ist schiefgelaufen",
        text: "Ihre Anmeldung konnte nicht abgeschlossen werden. Bitte versuchen Sie es \
               gleich noch einmal.",
    },
    unconfirmed: Problem {
        title: "Öffnen Sie den Link erneut",
        text: "Diese Seite wurde nicht in diesem Browser geöffnet, oder sie war zu lange offen. Öffnen Sie den Link aus Ihrer E-Mail erneut: Er ist weiterhin gültig.",
    },
};

// "vous" and straight apostrophes, like the French emails.
const FRENCH: PageText = PageText {
    locale: "fr",
    sign_in_to: "Connexion à {app}",
    confirm_hint: "Continuez pour finaliser la connexion.",
    continue_button: "Continuer",
    back_to: "Retour à {app}",
    back_to_the_application: "Retour à l'application",
    invalid: Problem {
        title: "Ce lien n'est pas valide",
        text: "Il est peut-être incomplet, ou un lien plus récent a été envoyé. \
               Demandez-en un nouveau.",
    },
    expired: Problem {
        title: "Ce lien a expiré",
        text: "Demandez un nouveau lien pour vous connecter.",
    },
    used: Problem {
        title: "Ce lien a déjà été utilisé",
        text: "Chaque lien ne fonctionne qu'une fois. Demandez-en un nouveau pour vous \
               reconnecter.",
    },
    redirect_mismatch: Problem {
        title: "La connexion par ce lien ne peut pas aboutir",
        text: "L'adresse de retour de l'application n'est pas enregistrée.",
    },
    not_allowed: Problem {
        title: "Les liens de connexion ne sont pas activés",
        text: "Cette application n'accepte pas les liens de connexion.",
    },
    access_denied: Problem {
        title: "Vous ne pouvez pas vous connecter",
        text: "Ce compte n'est pas autorisé à se connecter à cette application.",
    },
    unavailable: Problem {
        title: "Une erreur s'est produite",
        text: "Nous n'avons pas pu finaliser votre connexion. Veuillez réessayer dans un \
               instant.",
    },
    unconfirmed: Problem {
        title: "Ouvrez à nouveau le lien",
        text: "Cette page n’a pas été ouverte dans ce navigateur, ou elle est restée ouverte trop longtemps. Ouvrez à nouveau le lien de votre e-mail : il est toujours valable.",
    },
};

// Informal "tú", like the Spanish emails.
const SPANISH: PageText = PageText {
    locale: "es",
    sign_in_to: "Inicia sesión en {app}",
    confirm_hint: "Continúa para terminar de iniciar sesión.",
    continue_button: "Continuar",
    back_to: "Volver a {app}",
    back_to_the_application: "Volver a la aplicación",
    invalid: Problem {
        title: "Este enlace no es válido",
        text: "Puede que esté incompleto o que se haya enviado un enlace más reciente. \
               Solicita uno nuevo.",
    },
    expired: Problem {
        title: "Este enlace ha caducado",
        text: "Solicita un enlace nuevo para iniciar sesión.",
    },
    used: Problem {
        title: "Este enlace ya se ha usado",
        text: "Cada enlace funciona una sola vez. Solicita uno nuevo para volver a \
               iniciar sesión.",
    },
    redirect_mismatch: Problem {
        title: "No se puede completar el inicio de sesión con este enlace",
        text: "La dirección de retorno de la aplicación no está registrada.",
    },
    not_allowed: Problem {
        title: "Los enlaces de inicio de sesión no están activados",
        text: "Esta aplicación no acepta enlaces de inicio de sesión.",
    },
    access_denied: Problem {
        title: "No puedes iniciar sesión",
        text: "Esta cuenta no tiene permiso para iniciar sesión en esta aplicación.",
    },
    unavailable: Problem {
        title: "Algo salió mal",
        text: "No hemos podido completar tu inicio de sesión. Vuelve a intentarlo en \
               unos momentos.",
    },
    unconfirmed: Problem {
        title: "Vuelva a abrir el enlace",
        text: "Esta página no se abrió en este navegador, o estuvo abierta demasiado tiempo. Vuelva a abrir el enlace de su correo: sigue siendo válido.",
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;
    use crate::markup::APP;

    const PROBLEMS: [LinkProblem; 8] = [
        LinkProblem::Invalid,
        LinkProblem::Expired,
        LinkProblem::Used,
        LinkProblem::RedirectMismatch,
        LinkProblem::NotAllowed,
        LinkProblem::AccessDenied,
        LinkProblem::Unavailable,
        LinkProblem::Unconfirmed,
    ];

    /// Every string of `t`, named, problems included.
    fn strings(t: &PageText) -> Vec<(String, &'static str)> {
        let mut out = vec![
            ("sign_in_to".to_owned(), t.sign_in_to),
            ("confirm_hint".to_owned(), t.confirm_hint),
            ("continue_button".to_owned(), t.continue_button),
            ("back_to".to_owned(), t.back_to),
            (
                "back_to_the_application".to_owned(),
                t.back_to_the_application,
            ),
        ];
        for p in PROBLEMS {
            out.push((format!("{}.title", p.as_str()), t.problem(p).title));
            out.push((format!("{}.text", p.as_str()), t.problem(p).text));
        }
        out
    }

    #[test]
    fn the_pages_speak_every_language_the_messages_do() {
        let locales: Vec<_> = ALL.iter().map(|t| t.locale).collect();
        assert_eq!(locales, builtin::LOCALES);
        for locale in builtin::LOCALES {
            assert!(get(locale).is_some(), "{locale}");
        }
        assert!(get("pt").is_none());
    }

    #[test]
    fn every_locale_has_every_text_and_translates_it() {
        for t in &ALL {
            for ((name, s), (_, en)) in strings(t).into_iter().zip(strings(&ENGLISH)) {
                assert!(!s.trim().is_empty(), "{} {name} is empty", t.locale);
                assert_eq!(s.trim(), s, "{} {name} has stray white space", t.locale);
                assert!(!s.contains("  "), "{} {name} has a double space", t.locale);
                if t.locale != "en" {
                    assert_ne!(s, en, "{} {name} is still English", t.locale);
                }
            }
        }
    }

    #[test]
    fn every_problem_reads_differently_within_a_locale() {
        for t in &ALL {
            for (i, a) in PROBLEMS.iter().enumerate() {
                for b in &PROBLEMS[i + 1..] {
                    assert_ne!(t.problem(*a).title, t.problem(*b).title, "{}", t.locale);
                    assert_ne!(t.problem(*a).text, t.problem(*b).text, "{}", t.locale);
                }
            }
        }
    }

    #[test]
    fn the_texts_need_no_escaping_and_name_the_app_where_it_belongs() {
        for t in &ALL {
            for (name, s) in strings(t) {
                assert!(
                    !s.contains(['<', '>', '&', '"']),
                    "{} {name} needs escaping",
                    t.locale
                );
                let slots = s.matches(APP).count();
                let wanted = usize::from(name == "sign_in_to" || name == "back_to");
                assert_eq!(slots, wanted, "{} {name}: {APP} slots", t.locale);
                assert!(
                    !s.replace(APP, "").contains(['{', '}']),
                    "{} {name}",
                    t.locale
                );
            }
        }
    }
}
