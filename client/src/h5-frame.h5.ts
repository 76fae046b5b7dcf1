// H5 draws the title bar WeChat draws for a mini-program (Taro picks this file for H5 builds).
import './h5-frame.h5.scss';
