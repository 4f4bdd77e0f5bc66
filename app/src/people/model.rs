use crate::auth::model::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub head_id: Option<String>,
    pub head_name: Option<String>,
    pub member_count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub department_id: String,
    pub department_name: String,
    pub phone: Option<String>,
    pub active: bool,
}
