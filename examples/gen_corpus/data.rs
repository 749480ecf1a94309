//! The vocabularies, places and sentence parts of the synthetic library: data tables only.

// --------------------------------------------------------------------------
// Vocabularies
// --------------------------------------------------------------------------

pub(crate) struct Force {
    pub(crate) id: &'static str,
    pub(crate) en: &'static str,
    pub(crate) zh: &'static str,
    pub(crate) definition: &'static str,
    pub(crate) aliases: &'static [&'static str],
}

pub(crate) struct Problem {
    pub(crate) id: &'static str,
    pub(crate) en: &'static str,
    pub(crate) zh: &'static str,
    pub(crate) forces: &'static [usize],
    pub(crate) aliases: &'static [&'static str],
}

pub(crate) struct Practice {
    pub(crate) id: &'static str,
    pub(crate) en: &'static str,
    pub(crate) zh: &'static str,
    pub(crate) forces: &'static [usize],
}

pub(crate) struct Place {
    pub(crate) slug: &'static str,
    pub(crate) en: &'static str,
    pub(crate) zh: &'static str,
    /// (city, districts), cities in alphabetical order.
    pub(crate) cities: &'static [(&'static str, &'static [&'static str])],
}

pub(crate) const F_POL: usize = 0;
pub(crate) const F_IDEO: usize = 1;
pub(crate) const F_MASS: usize = 2;
pub(crate) const F_ORG: usize = 3;
pub(crate) const F_SELF: usize = 4;

pub(crate) const FORCES: &[Force] = &[
    Force {
        id: "political-leadership",
        en: "Political leadership",
        zh: "政治领导力",
        definition: "The capacity of the community Party organization to keep the political direction, \
                     lead all other organizations in the community and turn higher-level decisions into local action.",
        aliases: &["political leading power", "政治引领", "领导核心"],
    },
    Force {
        id: "ideological-leadership",
        en: "Ideological leadership",
        zh: "思想引领力",
        definition: "The capacity to shape the beliefs and awareness of Party members and residents through \
                     study, education and everyday example.",
        aliases: &["ideological guidance", "思想引导", "理论武装"],
    },
    Force {
        id: "mass-cohesion",
        en: "Mass cohesion",
        zh: "群众凝聚力",
        definition: "The capacity to unite residents around shared goals by serving them, listening to them \
                     and involving them in community affairs.",
        aliases: &["cohesion of the masses", "凝聚群众", "群众工作"],
    },
    Force {
        id: "organizational-coverage",
        en: "Organizational coverage",
        zh: "组织覆盖力",
        definition: "The reach of Party organizations and their work into every building, grid, enterprise \
                     and social organization of the community.",
        aliases: &["organization coverage", "组织覆盖", "两个覆盖"],
    },
    Force {
        id: "self-innovation",
        en: "Self-innovation",
        zh: "自我革新力",
        definition: "The capacity of the organization to reform itself: renew its cadres, its methods and \
                     its rules, and fight formalism.",
        aliases: &["self-revolution", "自我革命", "改革创新"],
    },
];

macro_rules! problem {
    ($id:expr, $en:expr, $zh:expr, [$($f:expr),*], [$($a:expr),*]) => {
        Problem { id: $id, en: $en, zh: $zh, forces: &[$($f),*], aliases: &[$($a),*] }
    };
}

pub(crate) const PROBLEMS: &[Problem] = &[
    problem!(
        "political-function-weak",
        "Political function not in place",
        "政治功能不到位",
        [F_POL],
        ["weak political function", "政治功能弱化"]
    ),
    problem!(
        "ideological-awareness-weak",
        "Members' ideological awareness weak",
        "党员思想意识薄弱",
        [F_IDEO],
        ["weak awareness", "思想意识淡薄"]
    ),
    problem!("mass-cohesion-weak", "Mass cohesion weak", "群众凝聚力不强", [F_MASS], ["low cohesion", "凝聚力弱"]),
    problem!(
        "governance-synergy-missing",
        "Multi-party governance synergy not formed",
        "多元共治合力未形成",
        [F_ORG, F_POL],
        ["no governance synergy", "共治合力不足"]
    ),
    problem!(
        "party-building-disconnected",
        "Party building disconnected from governance needs",
        "党建与治理需求脱节",
        [F_ORG, F_SELF],
        ["two skins", "两张皮"]
    ),
    problem!("formalism", "Formalism", "形式主义", [F_SELF], ["box-ticking", "文山会海", "留痕主义"]),
    problem!(
        "coverage-gaps",
        "Gaps in organizational coverage",
        "组织覆盖存在空白",
        [F_ORG],
        ["uncovered organizations", "覆盖盲区"]
    ),
    problem!("aging-cadres", "Aging and thin cadre team", "干部队伍老化", [F_SELF], ["cadre shortage", "后继乏人"]),
    problem!(
        "resident-participation-low",
        "Low resident participation",
        "居民参与度低",
        [F_MASS],
        ["passive residents", "参与不足"]
    ),
    problem!(
        "resource-fragmentation",
        "Fragmented resources",
        "资源碎片化",
        [F_ORG],
        ["scattered resources", "资源分散"]
    ),
    problem!(
        "service-capacity-weak",
        "Weak service capacity",
        "服务能力不足",
        [F_MASS, F_SELF],
        ["poor services", "服务短板"]
    ),
    problem!(
        "mobile-members-unmanaged",
        "Mobile Party members hard to manage",
        "流动党员管理难",
        [F_ORG, F_IDEO],
        ["floating members", "流动党员失联"]
    ),
];

macro_rules! practice {
    ($id:expr, $en:expr, $zh:expr, [$($f:expr),*]) => {
        Practice { id: $id, en: $en, zh: $zh, forces: &[$($f),*] }
    };
}

pub(crate) const PRACTICES: &[Practice] = &[
    practice!("party-building-alliance", "Party building alliance", "党建联盟", [F_ORG, F_POL]),
    practice!("big-party-building", "Urban big Party building pattern", "城市大党建格局", [F_POL, F_ORG]),
    practice!("red-wall-consciousness", "Red wall consciousness", "红墙意识", [F_POL, F_IDEO]),
    practice!("one-body-two-wings", "One body, two wings", "一体两翼", [F_ORG, F_POL]),
    practice!("grid-governance", "Grid governance", "网格化治理", [F_ORG, F_MASS]),
    practice!("red-property-management", "Red property management", "红色物业", [F_MASS, F_ORG]),
    practice!("community-council", "Community council", "社区议事会", [F_MASS, F_SELF]),
    practice!("volunteer-service-station", "Volunteer service station", "志愿服务站", [F_MASS]),
    practice!("party-member-pioneer-post", "Party member pioneer post", "党员先锋岗", [F_IDEO, F_MASS]),
    practice!("theme-party-day", "Theme Party day", "主题党日", [F_IDEO]),
    practice!("building-party-groups", "Building Party groups", "楼栋党小组", [F_ORG]),
    practice!(
        "two-new-organizations-coverage",
        "Covering new economic and social organizations",
        "两新组织覆盖",
        [F_ORG]
    ),
    practice!(
        "in-service-members-report",
        "In-service members report to the community",
        "在职党员进社区报到",
        [F_ORG, F_MASS]
    ),
    practice!("neighborhood-festival", "Neighborhood festival", "邻里节", [F_MASS]),
    practice!("smart-community-platform", "Smart community platform", "智慧社区平台", [F_SELF, F_ORG]),
    practice!("cadre-rotation-training", "Cadre rotation and training", "干部轮岗培训", [F_SELF]),
    practice!("list-of-responsibilities", "List of responsibilities", "责任清单", [F_POL, F_SELF]),
    practice!("whistle-and-report", "Streets blow the whistle, departments report", "街乡吹哨部门报到", [F_POL, F_ORG]),
    practice!("party-school-classroom", "Community Party school classroom", "社区党校课堂", [F_IDEO]),
    practice!("red-story-telling", "Red story telling", "红色故事宣讲", [F_IDEO, F_MASS]),
    practice!("resident-demand-list", "Resident demand list", "居民需求清单", [F_MASS, F_SELF]),
    practice!("joint-conference-system", "Joint conference system", "联席会议制度", [F_ORG, F_POL]),
    practice!("party-member-contact-households", "Party members contact households", "党员联系户", [F_MASS, F_IDEO]),
    practice!("project-based-services", "Project-based services", "项目化服务", [F_SELF, F_MASS]),
    practice!("ethnic-unity-activities", "Ethnic unity activities", "民族团结活动", [F_MASS, F_POL]),
    practice!("community-foundation", "Community foundation", "社区基金", [F_SELF, F_MASS]),
    practice!("mobile-member-registry", "Mobile member registry", "流动党员登记", [F_ORG, F_IDEO]),
    practice!("performance-evaluation", "Performance evaluation mechanism", "考核评价机制", [F_SELF, F_POL]),
    practice!("streamlining-meetings", "Streamlining meetings and documents", "精简会议文件", [F_SELF]),
    practice!("party-mass-service-center", "Party-mass service center", "党群服务中心", [F_MASS, F_ORG]),
    practice!("elderly-care-canteen", "Elderly care canteen", "老年助餐点", [F_MASS]),
    practice!("youth-social-workers", "Young social workers", "青年社工", [F_SELF, F_MASS]),
    practice!("courtyard-meetings", "Courtyard meetings", "院落议事", [F_MASS, F_SELF]),
    practice!("co-building-co-sharing", "Co-building and co-sharing", "共建共享", [F_ORG, F_MASS]),
    practice!("digital-party-study", "Digital Party study platform", "数字化学习平台", [F_IDEO, F_SELF]),
    practice!("border-community-patrol", "Border community patrol", "边境社区巡防", [F_POL, F_ORG]),
    practice!("merchant-party-branch", "Business district Party branch", "商圈党支部", [F_ORG]),
    practice!("conflict-mediation-room", "Conflict mediation room", "矛盾调解室", [F_MASS, F_POL]),
    practice!("points-for-services", "Volunteer points exchange", "志愿积分兑换", [F_MASS, F_SELF]),
    practice!("standardized-branch-building", "Standardized branch building", "标准化规范化支部建设", [F_POL, F_SELF]),
];

pub(crate) const PLACES: &[Place] = &[
    Place {
        slug: "henan",
        en: "Henan",
        zh: "河南",
        cities: &[
            ("Luoyang", &["Xigong District", "Laocheng District"]),
            ("Zhengzhou", &["Erqi District", "Jinshui District", "Zhongyuan District"]),
        ],
    },
    Place {
        slug: "beijing",
        en: "Beijing",
        zh: "北京",
        cities: &[("Beijing", &["Xicheng District", "Dongcheng District", "Chaoyang District", "Haidian District"])],
    },
    Place {
        slug: "fujian",
        en: "Fujian",
        zh: "福建",
        cities: &[
            ("Fuzhou", &["Gulou District", "Taijiang District"]),
            ("Xiamen", &["Siming District", "Huli District"]),
        ],
    },
    Place {
        slug: "guangxi",
        en: "Guangxi",
        zh: "广西",
        cities: &[("Guilin", &["Xiufeng District"]), ("Nanning", &["Qingxiu District", "Xingning District"])],
    },
    Place {
        slug: "xinjiang",
        en: "Xinjiang",
        zh: "新疆",
        cities: &[("Kashgar", &["Kashgar City"]), ("Urumqi", &["Tianshan District", "Saybag District"])],
    },
    Place {
        slug: "zhejiang",
        en: "Zhejiang",
        zh: "浙江",
        cities: &[("Hangzhou", &["Shangcheng District", "Xihu District"]), ("Ningbo", &["Haishu District"])],
    },
    Place {
        slug: "jiangsu",
        en: "Jiangsu",
        zh: "江苏",
        cities: &[("Nanjing", &["Gulou District", "Qinhuai District"]), ("Suzhou", &["Gusu District"])],
    },
    Place {
        slug: "shanghai",
        en: "Shanghai",
        zh: "上海",
        cities: &[("Shanghai", &["Huangpu District", "Xuhui District", "Pudong New Area"])],
    },
    Place {
        slug: "sichuan",
        en: "Sichuan",
        zh: "四川",
        cities: &[("Chengdu", &["Jinjiang District", "Wuhou District"])],
    },
    Place {
        slug: "guangdong",
        en: "Guangdong",
        zh: "广东",
        cities: &[
            ("Guangzhou", &["Yuexiu District", "Tianhe District"]),
            ("Shenzhen", &["Futian District", "Nanshan District"]),
        ],
    },
    Place {
        slug: "hubei", en: "Hubei", zh: "湖北", cities: &[("Wuhan", &["Jiang'an District", "Wuchang District"])]
    },
    Place {
        slug: "shandong",
        en: "Shandong",
        zh: "山东",
        cities: &[("Jinan", &["Lixia District"]), ("Qingdao", &["Shinan District", "Shibei District"])],
    },
];

pub(crate) const UNIT_NAMES: &[(&str, &str)] = &[
    ("Huaihe Road", "淮河路"),
    ("Jianguo", "建国"),
    ("Renmin Road", "人民路"),
    ("Heping", "和平"),
    ("Xinhua", "新华"),
    ("Dongfeng", "东风"),
    ("Guangming", "光明"),
    ("Chaoyang", "朝阳"),
    ("Zhongshan", "中山"),
    ("Jiefang", "解放"),
    ("Wenhua", "文化"),
    ("Xingfu", "幸福"),
    ("Minzhu", "民主"),
    ("Yong'an", "永安"),
    ("Tianqiao", "天桥"),
    ("Shuangjing", "双井"),
    ("Yuhua", "雨花"),
    ("Hongqi", "红旗"),
    ("Changjiang", "长江"),
    ("Huanghe", "黄河"),
    ("Qingnian Road", "青年路"),
    ("Binhe", "滨河"),
    ("Xiyuan", "西园"),
    ("Nanhu", "南湖"),
];

/// (id, English unit suffix, Chinese unit suffix, weight)
pub(crate) const LEVELS: &[(&str, &str, &str, u32)] =
    &[("street", "Street", "街道", 4), ("community", "Community", "社区", 5), ("city", "", "市", 1)];

// Chinese sentence material (community-governance vocabulary)
pub(crate) const ZH_SUBJ: &[&str] = &[
    "社区党委",
    "街道党工委",
    "网格党支部",
    "楼栋党小组",
    "居委会",
    "党员志愿者",
    "在职党员",
    "驻区单位",
    "物业企业",
    "社区干部",
    "居民代表",
    "联盟成员单位",
    "两新组织党组织",
    "社会组织",
];
pub(crate) const ZH_NOUN: &[&str] = &[
    "党建",
    "社区",
    "网格",
    "居民",
    "志愿服务",
    "党员",
    "治理",
    "联盟",
    "服务",
    "组织",
    "阵地",
    "队伍",
    "机制",
    "平台",
    "清单",
    "资源",
    "项目",
    "议事",
    "共建",
    "共治",
    "共享",
    "群众",
    "基层",
    "支部",
    "楼栋",
    "物业",
    "品牌",
    "制度",
    "需求",
    "矛盾",
];
pub(crate) const ZH_VERB: &[&str] =
    &["推动", "健全", "完善", "整合", "凝聚", "建立", "深化", "强化", "探索", "落实", "引领", "带动"];
pub(crate) const ZH_ADJ: &[&str] = &["精细化", "常态化", "制度化", "规范化", "多元化", "网格化", "项目化", "便民化"];
pub(crate) const ZH_NUM: &[&str] = &["两", "三", "四", "五", "六", "十", "十二"];
pub(crate) const ZH_TEMPLATES: &[&str] = &[
    "{s}坚持以{n1}为引领，{v}{n2}与{n3}深度融合。",
    "通过{v}{n1}{n2}，{s}把{n3}工作做到了居民家门口。",
    "{s}每月召开{n1}联席会议，{v}解决{n2}难题{k}项。",
    "围绕{n1}{n2}，{s}探索形成了“{d}个一”工作法。",
    "针对{n1}不足的问题，{s}{v}{a}{n2}机制，{n3}满意度明显提升。",
    "{s}把{n1}建在{n2}上，实现了{n3}全覆盖。",
    "在{n1}中，党员带头、居民参与，{a}{n2}格局逐步形成。",
    "{s}建立“{n1}+{n2}”模式，{v}{n3}资源向基层下沉。",
    "这一做法让{n1}从“要我做”变为“我要做”，{n2}活力不断增强。",
    "{s}组建{k}支{n1}队伍，常态化开展{n2}活动。",
    "依托{n1}平台，{s}收集居民诉求{k}条，办结率达到百分之{p}。",
    "{s}推行{n1}积分制，激励党员在{n2}和{n3}中亮身份、作表率。",
];

// English sentence material
pub(crate) const EN_SUBJ: &[&str] = &[
    "The community Party committee",
    "The street Party working committee",
    "Each grid Party branch",
    "Building Party groups",
    "The residents' committee",
    "Volunteer Party members",
    "In-service members",
    "Resident units",
    "The property company",
    "Community cadres",
    "Resident representatives",
    "Member units of the alliance",
    "Social organizations",
];
pub(crate) const EN_VERB: &[&str] = &[
    "organized",
    "integrated",
    "strengthened",
    "coordinated",
    "mobilized",
    "reviewed",
    "streamlined",
    "launched",
    "expanded",
    "tracked",
];
pub(crate) const EN_OBJ: &[&str] = &[
    "weekly service days",
    "a shared list of resident demands",
    "joint meetings with resident units",
    "volunteer teams in every building",
    "a points system for services",
    "grid patrols",
    "training for young cadres",
    "a council for courtyard affairs",
    "the party-mass service center",
    "follow-up visits to elderly residents",
    "a register of mobile Party members",
    "a responsibility list for each grid",
];
pub(crate) const EN_TAIL: &[&str] = &[
    "so that problems are solved where they arise",
    "which cut response times by half",
    "and residents rated the results in an open vote",
    "with clear duties for every member",
    "instead of adding new meetings",
    "so that no household is left out",
    "and published the results on the notice board every month",
    "which turned one-off campaigns into routine work",
];
pub(crate) const EN_TEMPLATES: &[&str] = &[
    "{S} {v} {o}, {t}.",
    "Over {k} months, {s} {v} {o}.",
    "{S} {v} {o} and {o2}, {t}.",
    "As a result, {s} {v} {o} {t}.",
    "Residents say the change is visible: {s} {v} {o}.",
    "The key step was simple: {s} {v} {o} {t}.",
];

pub(crate) const SUMMARY_MEANS: &[&str] = &[
    "patient routine work",
    "clear rules and lists",
    "sharing resources",
    "putting Party members in front",
    "listening to residents first",
];
