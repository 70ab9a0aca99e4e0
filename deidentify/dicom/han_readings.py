"""How the characters of Chinese given names are read (D1, round 7), both ways round:

- a person the file names in Latin letters only (CHEN^DA-MING) whose given name a label writes in
  characters (大明, 陳大明 in a segment label): the characters' readings meet the person's
  syllables (``given_in``);
- a person named in characters only (陳^大明) whose given name a label writes romanised: the
  readings become the person's given name for ``person_forms`` ("Da-Ming", "Ta-Ming", "D.M. Chen").

Mandarin pinyin of the ~320 characters most given names in Taiwan are made of (tone-less; the
Wade-Giles, Tongyong and Hokkien spellings come from ``person_forms._romanisations``).  A
character not in the table has no reading here: the given name is then not compared (the
surname rules and the ideograph rules of ``label_names`` still apply).
"""
from __future__ import annotations

import functools
import itertools
import re

_TABLE = """
大:da 明:ming 志:zhi 豪:hao 美:mei 玲:ling 偉:wei 倫:lun 雅:ya 婷:ting 怡:yi 君:jun 宗:zong 翰:han 家:jia
佳:jia 俊:jun 傑:jie 建:jian 宏:hong 文:wen 華:hua 惠:hui 慧:hui 淑:shu 芬:fen 芳:fang 秀:xiu 英:ying 麗:li
珍:zhen 貞:zhen 娟:juan 萍:ping 雯:wen 琪:qi 琦:qi 欣:xin 心:xin 怡:yi 宜:yi 儀:yi 依:yi 伊:yi 安:an 平:ping
正:zheng 政:zheng 國:guo 民:min 光:guang 榮:rong 輝:hui 成:cheng 誠:cheng 信:xin 義:yi 仁:ren 德:de 智:zhi
勇:yong 強:qiang 剛:gang 鋼:gang 立:li 力:li 中:zhong 忠:zhong 昌:chang 盛:sheng 興:xing 發:fa 財:cai 富:fu
貴:gui 福:fu 祥:xiang 瑞:rui 嘉:jia 凱:kai 翔:xiang 宇:yu 軒:xuan 哲:zhe 誌:zhi 銘:ming 鳴:ming 敏:min
穎:ying 瑩:ying 盈:ying 潔:jie 婕:jie 捷:jie 晴:qing 清:qing 青:qing 慶:qing 靜:jing 晶:jing 菁:jing 經:jing
京:jing 品:pin 彥:yan 彦:yan 燕:yan 妍:yan 艷:yan 雁:yan 岩:yan 宴:yan 延:yan 郁:yu 玉:yu 瑜:yu 毓:yu 育:yu
昱:yu 雨:yu 羽:yu 語:yu 妤:yu 庭:ting 廷:ting 亭:ting 霆:ting 筠:yun 芸:yun 云:yun 雲:yun 韻:yun 蘊:yun
涵:han 函:han 晗:han 寒:han 軍:jun 鈞:jun 峻:jun 駿:jun 浚:jun 竣:jun 威:wei 維:wei 薇:wei 蔚:wei 瑋:wei
韋:wei 葦:wei 文:wen 聞:wen 妮:ni 倪:ni 霓:ni 琳:lin 霖:lin 麟:lin 林:lin 鈴:ling 齡:ling 凌:ling 翎:ling
寧:ning 凝:ning 甯:ning 佩:pei 沛:pei 珮:pei 培:pei 蓓:bei 貝:bei 碧:bi 冰:bing 兵:bing 斌:bin 彬:bin 賓:bin
濱:bin 柏:bo 博:bo 伯:bo 波:bo 泊:bo 勃:bo 崇:chong 聰:cong 從:cong 春:chun 純:chun 淳:chun 醇:chun 川:chuan
傳:chuan 達:da 丹:dan 旦:dan 東:dong 冬:dong 棟:dong 峰:feng 鋒:feng 豐:feng 鳳:feng 楓:feng 芙:fu 馥:fu
甫:fu 富:fu 港:gang 高:gao 歌:ge 格:ge 功:gong 冠:guan 貫:guan 寬:kuan 桂:gui 海:hai 浩:hao 皓:hao 昊:hao
和:he 禾:he 賀:he 恆:heng 衡:heng 弘:hong 鴻:hong 虹:hong 紅:hong 泓:hong 洪:hong 厚:hou 虎:hu 湖:hu
花:hua 樺:hua 驊:hua 懷:huai 煥:huan 歡:huan 環:huan 黃:huang 煌:huang 璜:huang 暉:hui 蕙:hui 卉:hui
會:hui 輝:hui 基:ji 吉:ji 紀:ji 霽:ji 季:ji 繼:ji 驥:ji 嘉:jia 健:jian 劍:jian 鑑:jian 江:jiang 姜:jiang
蔣:jiang 嬌:jiao 蛟:jiao 潔:jie 金:jin 錦:jin 進:jin 晉:jin 瑾:jin 菊:ju 娟:juan 絹:juan 可:ke 克:ke 科:ke
坤:kun 昆:kun 崑:kun 蘭:lan 嵐:lan 朗:lang 樂:le 蕾:lei 磊:lei 雷:lei 禮:li 莉:li 俐:li 利:li 梨:li 璃:li
蓮:lian 連:lian 良:liang 亮:liang 梁:liang 龍:long 隆:long 露:lu 璐:lu 祿:lu 綠:lu 倫:lun 綸:lun 曼:man
蔓:man 茂:mao 梅:mei 媚:mei 孟:meng 夢:meng 萌:meng 蒙:meng 妙:miao 苗:miao 銘:ming 茗:ming 木:mu 沐:mu
穆:mu 楠:nan 南:nan 寧:ning 佩:pei 鵬:peng 朋:peng 芃:peng 屏:ping 蘋:ping 琪:qi 淇:qi 棋:qi 綺:qi 啟:qi
啓:qi 千:qian 倩:qian 茜:qian 謙:qian 喬:qiao 巧:qiao 琴:qin 勤:qin 欽:qin 秋:qiu 群:qun 然:ran 仁:ren
榮:rong 蓉:rong 融:rong 容:rong 如:ru 汝:ru 儒:ru 瑞:rui 睿:rui 叡:rui 潤:run 若:ruo 珊:shan 姍:shan 善:shan
山:shan 紹:shao 少:shao 聖:sheng 勝:sheng 生:sheng 昇:sheng 詩:shi 世:shi 士:shi 石:shi 碩:shuo 書:shu
舒:shu 樹:shu 順:shun 舜:shun 思:si 斯:si 松:song 嵩:song 頌:song 素:su 蘇:su 泰:tai 太:tai 濤:tao 桃:tao
陶:tao 天:tian 田:tian 添:tian 彤:tong 桐:tong 通:tong 萬:wan 婉:wan 琬:wan 旺:wang 望:wang 蔚:wei 溫:wen
武:wu 舞:wu 悟:wu 希:xi 曦:xi 熙:xi 喜:xi 錫:xi 霞:xia 夏:xia 先:xian 賢:xian 嫻:xian 憲:xian 顯:xian
香:xiang 湘:xiang 曉:xiao 筱:xiao 孝:xiao 小:xiao 笑:xiao 協:xie 馨:xin 新:xin 鑫:xin 星:xing 杏:xing
幸:xing 雄:xiong 熊:xiong 修:xiu 旭:xu 緒:xu 萱:xuan 璇:xuan 宣:xuan 玄:xuan 學:xue 雪:xue 勳:xun 迅:xun
亞:ya 涯:ya 陽:yang 揚:yang 洋:yang 楊:yang 耀:yao 瑤:yao 遙:yao 業:ye 葉:ye 毅:yi 益:yi 藝:yi 億:yi
逸:yi 翊:yi 奕:yi 茵:yin 音:yin 銀:yin 寅:yin 胤:yin 應:ying 鶯:ying 櫻:ying 永:yong 詠:yong 泳:yong
友:you 佑:you 祐:you 右:you 宥:you 優:you 于:yu 余:yu 裕:yu 鈺:yu 元:yuan 遠:yuan 源:yuan 媛:yuan 圓:yuan
苑:yuan 願:yuan 月:yue 悅:yue 越:yue 岳:yue 躍:yue 澤:ze 哲:zhe 珍:zhen 真:zhen 震:zhen 振:zhen 鎮:zhen
禎:zhen 崢:zheng 錚:zheng 芝:zhi 之:zhi 治:zhi 致:zhi 稚:zhi 忠:zhong 仲:zhong 洲:zhou 舟:zhou 州:zhou
珠:zhu 竹:zhu 柱:zhu 筑:zhu 莊:zhuang 卓:zhuo 子:zi 梓:zi 紫:zi 宗:zong 尊:zun 祖:zu 鄰:lin 嫣:yan 湘:xiang
"""
READINGS: dict[str, set[str]] = {}
for _pair in _TABLE.split():
    _char, _reading = _pair.split(":")
    READINGS.setdefault(_char, set()).add(_reading)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@functools.cache
def _simplified_table() -> dict[str, set[str]]:
    from deidentify.identifiers.normalise import to_simplified

    out: dict[str, set[str]] = {}
    for char, readings in READINGS.items():
        for form in {char, to_simplified(char)}:
            out.setdefault(form, set()).update(readings)
    return out


def readings_of(chars: str) -> list[str]:
    """The pinyin readings of ``chars`` as syllables joined by a space ("da ming"); empty when a
    character has none here.  At most 16 (a few characters read two ways)."""
    table = _simplified_table()
    options = [sorted(table.get(c, ())) for c in chars]
    if not options or not all(options):
        return []
    return [" ".join(combo) for combo in itertools.islice(itertools.product(*options), 16)]


def given_in(text: str, givens: set[str]) -> bool:
    """Does ``text`` write in characters (two or three of a run, at its end or whole) a given
    name whose readings are one of ``givens`` (folded syllables joined without a space)?"""
    for run in _HAN.findall(str(text)):
        for size in (2, 3):
            for k in range(0, len(run) - size + 1):
                if any(r.replace(" ", "") in givens for r in readings_of(run[k:k + size])):
                    return True
    return False


__all__ = ["READINGS", "given_in", "readings_of"]
