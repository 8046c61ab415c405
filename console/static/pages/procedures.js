// What the console knows of each procedure: where its record is read (the
// API's path for GET {path}/{id}), in one table shared by every page.
export const procedures = {
  share_request: "/api/v1/share-requests",
  open_application: "/api/v1/open-applications",
  objection: "/api/v1/objections",
  dispute: "/api/v1/disputes",
  classification: "/api/v1/classifications",
  temporary_adjustment: "/api/v1/temporary-adjustments",
  opening_review: "/api/v1/opening-reviews",
  open_conversion: "/api/v1/open-conversions",
  catalog_change: "/api/v1/catalog/changes",
  catalog_update: "/api/v1/catalog/triggers",
  purchase: "/api/v1/purchases",
  authority_approval: "/api/v1/authority-approvals",
  data_conflict: "/api/v1/data-conflicts",
  yearly_list: "/api/v1/yearly-lists",
};
