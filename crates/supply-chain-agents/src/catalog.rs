//! The names a question may use, read once from the store: warehouses, SKUs and their
//! categories, suppliers and their countries, and which suppliers source which SKUs.

use std::collections::{BTreeMap, BTreeSet};

use supply_chain::model::{Carrier, Supplier, Warehouse};
use supply_chain::{Store, StoreError};

/// Known names.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Warehouses.
    pub warehouses: Vec<Warehouse>,
    /// Every SKU.
    pub skus: BTreeSet<String>,
    /// SKU -> category.
    pub sku_category: BTreeMap<String, String>,
    /// Product categories, sorted.
    pub categories: Vec<String>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Supplier countries, sorted.
    pub regions: Vec<String>,
    /// SKU -> approved supplier ids.
    pub sources: BTreeMap<String, Vec<String>>,
    /// Carriers.
    pub carriers: Vec<Carrier>,
}

impl Catalog {
    /// Reads the catalog from the store.
    pub fn load(store: &Store) -> Result<Catalog, StoreError> {
        let products = store.products()?;
        let suppliers = store.suppliers()?;
        let categories: BTreeSet<String> = products.iter().map(|p| p.category.clone()).collect();
        let regions: BTreeSet<String> = suppliers.iter().map(|s| s.country.clone()).collect();
        Ok(Catalog {
            warehouses: store.warehouses()?,
            skus: products.iter().map(|p| p.sku.clone()).collect(),
            sku_category: products
                .iter()
                .map(|p| (p.sku.clone(), p.category.clone()))
                .collect(),
            categories: categories.into_iter().collect(),
            regions: regions.into_iter().collect(),
            suppliers,
            sources: store.supplier_sources()?,
            carriers: store.carriers()?,
        })
    }

    /// Suppliers that source at least one SKU of `category`, sorted.
    pub fn suppliers_of_category(&self, category: &str) -> Vec<String> {
        let ids: BTreeSet<&String> = self
            .sources
            .iter()
            .filter(|(sku, _)| self.sku_category.get(*sku).is_some_and(|c| c == category))
            .flat_map(|(_, suppliers)| suppliers)
            .collect();
        ids.into_iter().cloned().collect()
    }

    /// Suppliers based in `region` (a country code), sorted.
    pub fn suppliers_in_region(&self, region: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .suppliers
            .iter()
            .filter(|s| s.country == region)
            .map(|s| s.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// The warehouses a query names, or every warehouse when it names none.
    pub fn warehouses_for(&self, query: &crate::Query) -> Vec<String> {
        if query.warehouses.is_empty() {
            self.warehouse_codes()
        } else {
            query.warehouses.clone()
        }
    }

    /// The SKUs of `category`, sorted.
    pub fn skus_of_category(&self, category: &str) -> Vec<String> {
        self.sku_category
            .iter()
            .filter(|(_, c)| *c == category)
            .map(|(sku, _)| sku.clone())
            .collect()
    }

    /// A carrier's name, or its id when unknown.
    pub fn carrier_name(&self, id: &str) -> String {
        self.carriers
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    }

    /// The warehouse codes, sorted.
    pub fn warehouse_codes(&self) -> Vec<String> {
        self.warehouses.iter().map(|w| w.code.clone()).collect()
    }
}
