use serde::{Deserialize, Serialize};

/// What a user may do. Stored as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Rep,
    Manager,
    Boss,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Rep, Role::Manager, Role::Boss, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Boss => "boss",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Boss and admin configure the company: departments, users, rules.
    pub fn can_administer(self) -> bool {
        matches!(self, Role::Boss | Role::Admin)
    }
}

/// The signed-in user, as the UI and every server function see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub department_id: String,
    pub department_name: String,
    pub phone: Option<String>,
    pub language: String,
}
