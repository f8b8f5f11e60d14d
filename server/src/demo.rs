//! The demo accounts a newcomer logs in with. Seeded only when TWEESTAP_DEMO is true.

use tweestap_domain::{
    Context,
    accounts::{email::Email, password::Password, users},
    db::entity::user::Role,
};

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub role: Role,
}

pub const ACCOUNTS: [DemoAccount; 2] = [
    DemoAccount {
        email: "judith@example.nl",
        name: "Judith van Haare",
        password: "Welkom-bij-het-platform-1",
        role: Role::Professional,
    },
    DemoAccount {
        email: "beheer@example.nl",
        name: "Bram Beheer",
        password: "Beheer-van-het-platform-1",
        role: Role::Admin,
    },
];

/// Creates the demo accounts that do not exist yet; existing ones are left as they are.
pub async fn seed(ctx: &Context) -> Result<(), users::CreateUserError> {
    for account in &ACCOUNTS {
        let email = Email::parse(account.email).map_err(|_| users::CreateUserError::InvalidName)?;
        if users::find_by_email(ctx, &email).await?.is_some() {
            continue;
        }
        let password = Password::new_password(account.password.to_owned())
            .map_err(|_| users::CreateUserError::InvalidName)?;
        users::create(ctx, &email, account.name, &password, account.role).await?;
        tracing::info!(email = account.email, "created demo account");
    }
    Ok(())
}
