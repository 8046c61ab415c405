package main

import (
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// seedDemo gives `approvals dev` a small demo catalog on first start (no
// department yet): in every city a bureau of public security that provides
// items of each share and open type, a bureau of human resources that asks
// for them, and the city's big-data centre, so that every procedure can be
// clicked through in the console.
func seedDemo(db *gorm.DB, cities []string) (bool, error) {
	var n int64
	if err := db.Model(&models.Department{}).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count departments: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	return true, db.Transaction(func(tx *gorm.DB) error {
		for _, city := range cities {
			ps, hr, bd := city+"-gaj", city+"-rsj", city+"-dsj"
			depts := []models.Department{
				{Code: ps, Name: "公安局", Jurisdiction: city, Kind: "bureau"},
				{Code: hr, Name: "人力资源和社会保障局", Jurisdiction: city, Kind: "bureau"},
				{Code: bd, Name: "大数据中心", Jurisdiction: city, Kind: "bureau"},
			}
			if err := tx.Create(&depts).Error; err != nil {
				return fmt.Errorf("seed departments of %s: %w", city, err)
			}
			var items []models.CatalogItem
			for i, it := range []struct{ title, share, open string }{
				{"人口基础信息", "conditional", "not_open"},
				{"户籍登记信息", "unconditional", "not_open"},
				{"在押人员信息", "not_shared", "not_open"},
				{"机动车登记统计", "unconditional", "conditional"},
				{"交通违法统计", "unconditional", "unconditional"},
			} {
				items = append(items, models.CatalogItem{ID: fmt.Sprintf("%s-item-%d", city, i+1), Jurisdiction: city, ProviderDept: ps,
					Title: it.title, ShareType: it.share, ShareConditions: "仅限特定应用场景使用（履职需要）", LegalBasis: "《中华人民共和国数据安全法》第三十八条",
					OpenType: it.open, DataItems: []string{"name", "id_number", "address"}})
			}
			if err := models.ImportCatalog(tx, items); err != nil {
				return fmt.Errorf("seed catalog of %s: %w", city, err)
			}
		}
		return nil
	})
}
