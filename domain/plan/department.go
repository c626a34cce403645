package plan

// departmentsEn are the English names of the departments the plan names
// (lead or participating), as the bodies were called when it was issued
// in 2015.
var departmentsEn = map[Department]string{
	"省环保厅":     "Provincial Department of Environmental Protection",
	"省住房城乡建设厅": "Provincial Department of Housing and Urban-Rural Development",
	"省水利厅":     "Provincial Department of Water Resources",
	"省农业厅":     "Provincial Department of Agriculture",
	"省林业厅":     "Provincial Department of Forestry",
	"省国土资源厅":   "Provincial Department of Land and Resources",
	"省交通运输厅":   "Provincial Department of Transport",
	"省发展改革委":   "Provincial Development and Reform Commission",
	"省经信委":     "Provincial Commission of Economy and Information Technology",
	"省科技厅":     "Provincial Department of Science and Technology",
	"省财政厅":     "Provincial Department of Finance",
	"省商务厅":     "Provincial Department of Commerce",
	"省卫生计生委":   "Provincial Health and Family Planning Commission",
	"省煤炭厅":     "Provincial Department of Coal Industry",
	"省物价局":     "Provincial Price Bureau",
	"省安监局":     "Provincial Administration of Work Safety",
	"省质监局":     "Provincial Bureau of Quality and Technical Supervision",
	"人行太原中心支行": "People's Bank of China Taiyuan Central Sub-branch",
	"山西银监局":    "Shanxi Office of the China Banking Regulatory Commission",
	"山西证监局":    "Shanxi Office of the China Securities Regulatory Commission",
	"山西保监局":    "Shanxi Office of the China Insurance Regulatory Commission",
}

// English is the department's English name, e.g. Provincial Department of
// Water Resources for 省水利厅; a department the plan does not name is
// given as written.
func (d Department) English() string {
	if en, ok := departmentsEn[d]; ok {
		return en
	}
	return string(d)
}
